* OLS (robust standard errors) with fitted values, their standard errors and residuals.
use "`main_data'", clear
regress `depvar' `indepvars', vce(robust)
ss_store_model ols, title("OLS, robust standard errors")
predict double `fitted', xb
predict double `stdp', stdp
predict double `residual', residuals
label variable `fitted' "Fitted values"
label variable `stdp' "Standard error of the fitted value"
label variable `residual' "Residuals"
summarize `residual'
ss_export_table predictions
