* Matching estimate (`method', `estimand') of `treat' on `depvar'.
use "`main_data'", clear
if "`method'" == "psmatch" & ("`biasadj'" != "" | "`ematch'" != "") {
    display as error "biasadj and ematch apply to method nnmatch only"
    exit 198
}
egen _ss_miss = rowmiss(`depvar' `treat' `covariates' `biasadj' `ematch')
keep if _ss_miss == 0
drop _ss_miss

* propensity scores for the overlap table (psmatch matches on this same score)
if "`link'" == "probit" {
    probit `treat' `covariates'
}
else {
    logit `treat' `covariates'
}
predict double _ss_p, pr

if "`method'" == "psmatch" {
    teffects psmatch (`depvar') (`treat' `covariates', `link'), `estimand' nneighbor(`nneighbor')
}
else {
    local extra ""
    if "`biasadj'" != "" {
        local extra "`extra' biasadj(`biasadj')"
    }
    if "`ematch'" != "" {
        local extra "`extra' ematch(`ematch')"
    }
    teffects nnmatch (`depvar' `covariates') (`treat'), `estimand' nneighbor(`nneighbor') metric(`metric') `extra'
}
ss_store_model `method', title("Matching: `method' (`estimand')")
matrix _ss_b = e(b)
matrix _ss_V = e(V)
local N = e(N)
quietly count if e(sample) & `treat' != 0
local N1 = r(N)

preserve
keep if e(sample)
generate byte treated = (`treat' != 0)
collapse (count) n = _ss_p (mean) mean_pscore = _ss_p (min) min_pscore = _ss_p (max) max_pscore = _ss_p, by(treated)
ss_export_table overlap
restore

clear
set obs 1
generate str8 method = "`method'"
generate str8 estimand = "`estimand'"
generate double N = `N'
generate double N_treated = `N1'
generate double N_control = `N' - `N1'
generate double nneighbor = `nneighbor'
generate double effect = _ss_b[1, 1]
generate double se = sqrt(_ss_V[1, 1])
generate double z = effect / se
generate double p = 2 * normal(-abs(z))
generate double ci_lo = effect - invnormal(0.975) * se
generate double ci_hi = effect + invnormal(0.975) * se
ss_export_table effect
