* Probit model and average marginal effects of every regressor.
use "`main_data'", clear
probit `depvar' `indepvars', vce(`vce')
ss_store_model probit, title("Probit")
margins, dydx(*) post
ss_store_model ame, title("Average marginal effects")
