* One-sample test of a proportion: H0 share of ones in `var' == `p0'.
use "`main_data'", clear
prtest `var' == `p0'
local n = r(N_1)
local phat = r(P_1)
local z = r(z)

keep in 1
keep `var'
rename `var' _ss_x
generate str32 variable = "`var'"
generate double n = `n'
generate double proportion = `phat'
generate double se = sqrt(`phat' * (1 - `phat') / `n')
generate double ci_lo = proportion - invnormal(0.975) * se
generate double ci_hi = proportion + invnormal(0.975) * se
generate double p0 = `p0'
generate double z = `z'
generate double p = 2 * normal(-abs(`z'))
drop _ss_x
ss_export_table prtest
