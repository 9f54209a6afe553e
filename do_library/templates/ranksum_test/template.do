* Wilcoxon rank-sum (Mann-Whitney) test of `var' between the groups of `group'.
use "`main_data'", clear
ranksum `var', by(`group')
local n1 = r(N_1)
local n2 = r(N_2)
local sum_obs = r(sum_obs)
local sum_exp = r(sum_exp)
local var_a = r(Var_a)
local z = r(z)

keep in 1
keep `var'
rename `var' _ss_x
generate str32 variable = "`var'"
generate double n1 = `n1'
generate double n2 = `n2'
generate double rank_sum_obs = `sum_obs'
generate double rank_sum_exp = `sum_exp'
generate double variance = `var_a'
generate double z = `z'
generate double p = 2 * normal(-abs(`z'))
generate double prob_greater = (`sum_obs' - `n1' * (`n1' + 1) / 2) / (`n1' * `n2')
drop _ss_x
ss_export_table ranksum
