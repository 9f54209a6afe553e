* Regression-adjustment estimate of the `estimand' of `treat' on `depvar'.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `treat' `covariates')
keep if _ss_miss == 0
drop _ss_miss
teffects ra (`depvar' `covariates') (`treat'), `estimand'
ss_store_model ra, title("Regression adjustment (`estimand')")
matrix _ss_b = e(b)
matrix _ss_V = e(V)
local N = e(N)
clear
set obs 1
generate str8 method = "ra"
generate str8 estimand = "`estimand'"
generate double N = `N'
generate double effect = _ss_b[1, 1]
generate double se = sqrt(_ss_V[1, 1])
generate double z = effect / se
generate double p = 2 * normal(-abs(z))
generate double ci_lo = effect - invnormal(0.975) * se
generate double ci_hi = effect + invnormal(0.975) * se
generate double pomean_control = _ss_b[1, 2]
ss_export_table effect
