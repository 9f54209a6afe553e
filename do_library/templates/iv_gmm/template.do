* Two-step GMM IV of `depvar' on `endog' with Hansen's J test, beside 2SLS.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `endog' `instruments' `exog')
keep if _ss_miss == 0
drop _ss_miss
local wopt "wmatrix(robust) vce(robust)"
local vopt "vce(robust)"
if "`clustvar'" != "" {
    drop if missing(`clustvar')
    local wopt "wmatrix(cluster `clustvar') vce(cluster `clustvar')"
    local vopt "vce(cluster `clustvar')"
}
ivregress 2sls `depvar' `exog' (`endog' = `instruments'), `vopt'
ss_store_model tsls, title("2SLS")
ivregress gmm `depvar' `exog' (`endog' = `instruments'), `wopt'
ss_store_model gmm, title("GMM (two-step)")
local J = e(J)
local N = e(N)
local l : word count `instruments'
local k : word count `endog'
clear
set obs 1
generate double N = `N'
generate double J = `J'
generate double df = `l' - `k'
generate double p = cond(df > 0, chi2tail(df, J), .)
ss_export_table overid_test
