* Variance-ratio test of `var' between the two groups of `group' (the statistic of sdtest).
use "`main_data'", clear
keep if !missing(`var') & !missing(`group')
generate double _ss_x = `var'
collapse (count) n = _ss_x (mean) mean = _ss_x (sd) sd = _ss_x, by(`group')
assert _N == 2
generate str32 variable = "`var'"
generate double df1 = n[1] - 1
generate double df2 = n[2] - 1
generate double ratio = sd[1]^2 / sd[2]^2
generate double p_lower = 1 - Ftail(df1, df2, ratio)
generate double p_upper = Ftail(df1, df2, ratio)
generate double p = 2 * min(p_lower, p_upper)
rename `group' level
generate byte _ss_row = _n
reshape wide level n mean sd, i(variable) j(_ss_row)
order variable level1 n1 mean1 sd1 level2 n2 mean2 sd2 ratio df1 df2 p p_lower p_upper
ss_export_table variance_ratio
