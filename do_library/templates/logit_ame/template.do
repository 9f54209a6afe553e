* Logit model and average marginal effects of every regressor.
use "`main_data'", clear
logit `depvar' `indepvars', vce(`vce')
ss_store_model logit, title("Logit")
margins, dydx(*) post
ss_store_model ame, title("Average marginal effects")
