* OLS, the joint Wald test that the coefficients of `testvars' are zero, and their sum.
use "`main_data'", clear
regress `depvar' `indepvars', vce(robust)
ss_store_model ols, title("OLS, robust standard errors")
test `testvars'
local F = r(F)
local df = r(df)
local df_r = r(df_r)
local p_F = r(p)
local sum ""
foreach v of local testvars {
    local sum "`sum' + `v'"
}
local sum = substr("`sum'", 4, .)
lincom `sum'
local est = r(estimate)
local se = r(se)
local t = r(t)
local p_t = r(p)
local lb = r(lb)
local ub = r(ub)

keep in 1
keep `depvar'
rename `depvar' _ss_x
generate str80 hypothesis = "`sum'"
generate double F = `F'
generate double df = `df'
generate double df_r = `df_r'
generate double p_F = `p_F'
generate double sum = `est'
generate double se = `se'
generate double t = `t'
generate double p_t = `p_t'
generate double ci_lo = `lb'
generate double ci_hi = `ub'
drop _ss_x
ss_export_table hypothesis_tests
