* Levene (W0) and Brown-Forsythe (W50) tests of equal spread of `var' across `group'.
use "`main_data'", clear
keep if !missing(`var') & !missing(`group')
egen double _ss_mean = mean(`var'), by(`group')
egen double _ss_median = median(`var'), by(`group')
generate double _ss_d0 = abs(`var' - _ss_mean)
generate double _ss_d50 = abs(`var' - _ss_median)
* The one-way ANOVA F of the deviations is the overall F of their regression on the groups.
egen long _ss_g = group(`group')
regress _ss_d0 i._ss_g
local F0 = e(F)
local df_m = e(df_m)
local df_r = e(df_r)
regress _ss_d50 i._ss_g
local F50 = e(F)

preserve
generate double _ss_x = `var'
collapse (count) n = _ss_x (mean) mean = _ss_x (sd) sd = _ss_x, by(`group')
ss_export_table group_spread
restore

clear
set obs 2
generate str32 variable = "`var'"
generate str24 test = "Levene (W0, means)"
replace test = "Brown-Forsythe (W50, medians)" in 2
generate double F = cond(_n == 1, `F0', `F50')
generate double df1 = `df_m'
generate double df2 = `df_r'
generate double p = Ftail(df1, df2, F)
ss_export_table levene
