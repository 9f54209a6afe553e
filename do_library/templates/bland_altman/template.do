* Bland-Altman agreement of `var1' with `var2'.
use "`main_data'", clear
keep if !missing(`var1') & !missing(`var2')
generate double mean = (`var1' + `var2') / 2
generate double difference = `var1' - `var2'
summarize difference
local n = r(N)
local bias = r(mean)
local sd = r(sd)
local t = invttail(`n' - 1, (100 - `level') / 200)
regress difference mean
local slope = _b[mean]
local slope_p = 2 * ttail(e(df_r), abs(_b[mean] / _se[mean]))

preserve
keep mean difference
ss_export_table bland_altman_points
restore

clear
set obs 3
generate str24 statistic = "bias"
replace statistic = "lower_limit" in 2
replace statistic = "upper_limit" in 3
generate double estimate = `bias' + (_n == 2) * (-1.96 * `sd') + (_n == 3) * 1.96 * `sd'
generate double se = cond(_n == 1, `sd' / sqrt(`n'), sqrt(3 * `sd'^2 / `n'))
generate double ci_lo = estimate - `t' * se
generate double ci_hi = estimate + `t' * se
generate double n = `n'
generate double sd_difference = `sd'
generate double slope_on_mean = `slope'
generate double slope_p = `slope_p'
generate double level = `level'
ss_export_table agreement
