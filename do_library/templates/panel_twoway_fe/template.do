* Two-way fixed effects: unit effects (within) and period dummies.
use "`main_data'", clear
xtset `panelvar' `timevar'
local vceopt ""
if "`vce'" == "cluster" {
    local vceopt "vce(cluster `panelvar')"
}
xtreg `depvar' `indepvars' i.`timevar', fe `vceopt'
ss_store_model twfe, title("Two-way fixed effects")
