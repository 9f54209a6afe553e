* Difference-in-differences with unit and period fixed effects, clustered by unit.
use "`main_data'", clear
xtset `panelvar' `timevar'
xtreg `depvar' `treatvar' `controls' i.`timevar', fe vce(cluster `panelvar')
ss_store_model did_twfe, title("DiD, two-way fixed effects")
