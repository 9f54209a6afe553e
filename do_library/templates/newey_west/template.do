* Least squares of `depvar' on `indepvars' with Newey-West (HAC) standard errors, beside OLS.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars')
keep if _ss_miss == 0
drop _ss_miss
sort `timevars'
generate long _ss_t = _n
tsset _ss_t
regress `depvar' `indepvars'
ss_store_model ols, title("OLS (classical standard errors)")
newey `depvar' `indepvars', lag(`lag')
ss_store_model newey, title("Newey-West, `lag' lags")
