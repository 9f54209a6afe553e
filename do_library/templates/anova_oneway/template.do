* One-way ANOVA of `var' across the groups of `group'.
use "`main_data'", clear
oneway `var' `group'
local mss = r(mss)
local rss = r(rss)
local df_m = r(df_m)
local df_r = r(df_r)
local F = r(F)
local chi2bart = r(chi2bart)
local df_bart = r(df_bart)

preserve
keep in 1
keep `var'
rename `var' _ss_x
generate double _ss_ss1 = `mss'
generate double _ss_ss2 = `rss'
generate double _ss_ss3 = `mss' + `rss'
generate double _ss_df1 = `df_m'
generate double _ss_df2 = `df_r'
generate double _ss_df3 = `df_m' + `df_r'
generate byte _ss_one = 1
drop _ss_x
reshape long _ss_ss _ss_df, i(_ss_one) j(_ss_row)
generate str16 source = "Between groups"
replace source = "Within groups" if _ss_row == 2
replace source = "Total" if _ss_row == 3
rename _ss_ss ss
rename _ss_df df
generate double ms = ss / df
generate double F = `F' if _ss_row == 1
generate double p = Ftail(`df_m', `df_r', `F') if _ss_row == 1
generate double bartlett_chi2 = `chi2bart' if _ss_row == 1
generate double bartlett_p = chi2tail(`df_bart', `chi2bart') if _ss_row == 1
keep source ss df ms F p bartlett_chi2 bartlett_p
order source ss df ms F p bartlett_chi2 bartlett_p
ss_export_table anova
restore

keep if !missing(`var', `group')
generate double _ss_x = `var'
collapse (count) n = _ss_x (mean) mean = _ss_x (sd) sd = _ss_x, by(`group')
ss_export_table group_means
