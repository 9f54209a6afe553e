* Linear regression with the fixed effects of `absorbvar' absorbed (areg).
use "`main_data'", clear
local vceopt "vce(robust)"
if "`vce'" == "cluster" {
    local vceopt "vce(cluster `absorbvar')"
}
areg `depvar' `indepvars', absorb(`absorbvar') `vceopt' level(`level')
ss_store_model areg, title("Linear regression absorbing `absorbvar'") level(`level')
