* Fixed-effects (within) panel regression.
use "`main_data'", clear
xtset `panelvar' `timevar'
local vceopt ""
if "`vce'" == "cluster" {
    local vceopt "vce(cluster `panelvar')"
}
xtreg `depvar' `indepvars', fe `vceopt'
ss_store_model fe, title("Fixed effects (within)")
