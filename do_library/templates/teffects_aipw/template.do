* Augmented inverse-probability-weighted ATE of `treat' on `depvar'.
use "`main_data'", clear
if "`tcovariates'" == "" {
    local tcovariates "`covariates'"
}
egen _ss_miss = rowmiss(`depvar' `treat' `covariates' `tcovariates')
keep if _ss_miss == 0
drop _ss_miss
if "`link'" == "probit" {
    probit `treat' `tcovariates'
}
else {
    logit `treat' `tcovariates'
}
predict double _ss_p, pr
teffects aipw (`depvar' `covariates') (`treat' `tcovariates', `link'), ate
ss_store_model aipw, title("Augmented IPW (ate)")
matrix _ss_b = e(b)
matrix _ss_V = e(V)
local N = e(N)

preserve
generate byte treated = (`treat' != 0)
collapse (count) n = _ss_p (mean) mean_pscore = _ss_p (min) min_pscore = _ss_p (max) max_pscore = _ss_p, by(treated)
ss_export_table overlap
restore

clear
set obs 1
generate str8 method = "aipw"
generate str8 estimand = "ate"
generate double N = `N'
generate double effect = _ss_b[1, 1]
generate double se = sqrt(_ss_V[1, 1])
generate double z = effect / se
generate double p = 2 * normal(-abs(z))
generate double ci_lo = effect - invnormal(0.975) * se
generate double ci_hi = effect + invnormal(0.975) * se
generate double pomean_control = _ss_b[1, 2]
ss_export_table effect
