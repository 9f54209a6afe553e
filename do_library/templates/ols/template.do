* Linear regression (OLS) with classical standard errors.
use "`main_data'", clear
regress `depvar' `indepvars', level(`level')
ss_store_model ols, title("OLS") level(`level')
