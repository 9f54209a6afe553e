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
local balanced = cond("`method'" == "psmatch", "`e(tmvarlist)'", "`e(emvarlist)'")
quietly count if e(sample) & `treat' != 0
local N1 = r(N)

* covariate balance: raw sample against the matched one (each unit weighted by how often
* it appears in the matched pairs), standardized differences and variance ratios
tebalance summarize
matrix _ss_bal = r(table)
preserve
clear
svmat double _ss_bal, names(_ss_c)
rename (_ss_c1 _ss_c2 _ss_c3 _ss_c4) (std_diff_raw std_diff_matched ratio_raw ratio_matched)
generate str32 covariate = word("`balanced'", _n)
order covariate
ss_export_table balance
generate int _ss_row = _n
local ylab ""
forvalues i = 1/`=_N' {
    local ylab `"`ylab' `i' "`=covariate[`i']'""'
}
twoway (scatter _ss_row std_diff_raw) (scatter _ss_row std_diff_matched), ///
    xline(0) ylabel(`ylab', angle(0)) ytitle("") xtitle("Standardized difference") ///
    legend(order(1 "Raw" 2 "Matched")) title("Covariate balance")
graph export results/balance.png, replace
restore

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
