* Linear regression with one dummy per level of `fevar' (fixed effects as dummies).
use "`main_data'", clear
local vceopt "vce(robust)"
if "`vce'" == "cluster" {
    local vceopt "vce(cluster `fevar')"
}
regress `depvar' `indepvars' i.`fevar', `vceopt' level(`level')
ss_store_model ols_fe, title("OLS with `fevar' fixed effects") level(`level')
