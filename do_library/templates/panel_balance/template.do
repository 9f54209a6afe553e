* Keep the units of `panelvar' observed in every period of `timevar'.
use "`main_data'", clear
keep if !missing(`panelvar') & !missing(`timevar')
egen byte _ss_tt = tag(`timevar')
count if _ss_tt == 1
local periods = r(N)
egen byte _ss_tu = tag(`panelvar')
count if _ss_tu == 1
local units0 = r(N)
local obs0 = _N
bysort `panelvar': generate long _ss_n = _N
drop _ss_tt

preserve
keep if _ss_tu == 1 & _ss_n < `periods'
generate double periods_observed = _ss_n
generate double periods_missing = `periods' - _ss_n
keep `panelvar' periods_observed periods_missing
sort `panelvar'
ss_export_table dropped_units
restore

keep if _ss_n == `periods'
count if _ss_tu == 1
local units1 = r(N)
local obs1 = _N
drop _ss_tu _ss_n
sort `panelvar' `timevar'
ss_export_table balanced

clear
set obs 2
generate str8 panel = cond(_n == 1, "before", "after")
generate double units = cond(_n == 1, `units0', `units1')
generate double periods = `periods'
generate double observations = cond(_n == 1, `obs0', `obs1')
ss_export_table balance_summary
