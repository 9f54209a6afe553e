* Two-sample test of proportions of `var' between the groups of `group'.
use "`main_data'", clear
prtest `var', by(`group')
local n1 = r(N_1)
local n2 = r(N_2)
local p1 = r(P_1)
local p2 = r(P_2)
local z = r(z)

keep in 1
keep `var'
rename `var' _ss_x
generate str32 variable = "`var'"
generate double n1 = `n1'
generate double n2 = `n2'
generate double proportion1 = `p1'
generate double proportion2 = `p2'
generate double diff = `p1' - `p2'
generate double se = sqrt(`p1' * (1 - `p1') / `n1' + `p2' * (1 - `p2') / `n2')
generate double ci_lo = diff - invnormal(0.975) * se
generate double ci_hi = diff + invnormal(0.975) * se
generate double z = `z'
generate double p = 2 * normal(-abs(`z'))
drop _ss_x
ss_export_table prtest
