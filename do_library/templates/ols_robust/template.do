* Linear regression with heteroskedasticity-robust (HC1) standard errors.
use "`main_data'", clear
regress `depvar' `indepvars', vce(robust) level(`level')
ss_store_model ols_robust, title("OLS, robust standard errors") level(`level')
