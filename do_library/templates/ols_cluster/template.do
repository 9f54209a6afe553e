* Linear regression with standard errors clustered on `clustvar'.
use "`main_data'", clear
regress `depvar' `indepvars', vce(cluster `clustvar') level(`level')
ss_store_model ols_cluster, title("OLS, clustered standard errors") level(`level')
