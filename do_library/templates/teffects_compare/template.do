* The ATE of `treat' on `depvar': the naive difference and the four teffects estimators.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `treat' `covariates')
keep if _ss_miss == 0
drop _ss_miss

* the difference in means is regression adjustment without covariates
teffects ra (`depvar') (`treat'), ate
matrix _ss_b1 = e(b)
matrix _ss_V1 = e(V)
local N = e(N)
teffects ra (`depvar' `covariates') (`treat'), ate
matrix _ss_b2 = e(b)
matrix _ss_V2 = e(V)
teffects ipw (`depvar') (`treat' `covariates', `link'), ate
matrix _ss_b3 = e(b)
matrix _ss_V3 = e(V)
teffects aipw (`depvar' `covariates') (`treat' `covariates', `link'), ate
matrix _ss_b4 = e(b)
matrix _ss_V4 = e(V)
teffects ipwra (`depvar' `covariates') (`treat' `covariates', `link'), ate
matrix _ss_b5 = e(b)
matrix _ss_V5 = e(V)

clear
set obs 5
generate str24 method = ""
generate double N = `N'
generate double effect = .
generate double se = .
generate double pomean_control = .
local k = 0
foreach m in difference_in_means ra ipw aipw ipwra {
    local ++k
    replace method = "`m'" in `k'
    replace effect = _ss_b`k'[1, 1] in `k'
    replace se = sqrt(_ss_V`k'[1, 1]) in `k'
    replace pomean_control = _ss_b`k'[1, 2] in `k'
}
generate double z = effect / se
generate double p = 2 * normal(-abs(z))
generate double ci_lo = effect - invnormal(0.975) * se
generate double ci_hi = effect + invnormal(0.975) * se
ss_export_table effects
