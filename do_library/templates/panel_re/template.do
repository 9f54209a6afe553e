* Random-effects GLS panel regression.
use "`main_data'", clear
xtset `panelvar' `timevar'
local vceopt ""
if "`vce'" == "cluster" {
    local vceopt "vce(cluster `panelvar')"
}
xtreg `depvar' `indepvars', re `vceopt'
ss_store_model re, title("Random effects (GLS)")
