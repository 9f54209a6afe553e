* Panel structure: units, periods, observations per unit, balance and gaps.
use "`main_data'", clear
keep if !missing(`panelvar', `timevar')
xtset `panelvar' `timevar'
local N = _N
egen byte _ss_unit = tag(`panelvar')
count if _ss_unit == 1
local units = r(N)
egen byte _ss_period = tag(`timevar')
count if _ss_period == 1
local periods = r(N)
summarize `timevar'
local first = r(min)
local last = r(max)
bysort `panelvar': generate long _ss_n = _N
summarize _ss_n if _ss_unit == 1
local nmin = r(min)
local nmean = r(mean)
local nmax = r(max)
bysort `panelvar' (`timevar'): generate byte _ss_gap = (`timevar' - `timevar'[_n - 1] > 1) if _n > 1
egen byte _ss_hasgap = max(_ss_gap), by(`panelvar')
count if _ss_unit == 1 & _ss_hasgap == 1
local gaps = r(N)
local balanced = (`nmin' == `periods' & `nmax' == `periods')

keep in 1
generate double _ss_v1 = `units'
generate double _ss_v2 = `periods'
generate double _ss_v3 = `N'
generate double _ss_v4 = `first'
generate double _ss_v5 = `last'
generate double _ss_v6 = `nmin'
generate double _ss_v7 = `nmean'
generate double _ss_v8 = `nmax'
generate double _ss_v9 = `balanced'
generate double _ss_v10 = `gaps'
keep _ss_v1 _ss_v2 _ss_v3 _ss_v4 _ss_v5 _ss_v6 _ss_v7 _ss_v8 _ss_v9 _ss_v10
generate byte _ss_one = 1
reshape long _ss_v, i(_ss_one) j(_ss_row)
generate str24 metric = "units"
replace metric = "periods" if _ss_row == 2
replace metric = "observations" if _ss_row == 3
replace metric = "first_period" if _ss_row == 4
replace metric = "last_period" if _ss_row == 5
replace metric = "min_obs_per_unit" if _ss_row == 6
replace metric = "mean_obs_per_unit" if _ss_row == 7
replace metric = "max_obs_per_unit" if _ss_row == 8
replace metric = "balanced" if _ss_row == 9
replace metric = "units_with_gaps" if _ss_row == 10
rename _ss_v value
keep metric value
ss_export_table panel_summary
