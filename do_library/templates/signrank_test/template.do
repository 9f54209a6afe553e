* Wilcoxon signed-rank test of `var1' against `var2'.
use "`main_data'", clear
signrank `var1' = `var2'
local n_pos = r(N_pos)
local n_neg = r(N_neg)
local n_tie = r(N_tie)
local sum_pos = r(sum_pos)
local sum_neg = r(sum_neg)
local var_a = r(Var_a)
local z = r(z)

keep in 1
keep `var1'
rename `var1' _ss_x
generate str32 variable1 = "`var1'"
generate str32 variable2 = "`var2'"
generate double n_positive = `n_pos'
generate double n_negative = `n_neg'
generate double n_zero = `n_tie'
generate double rank_sum_positive = `sum_pos'
generate double rank_sum_negative = `sum_neg'
generate double variance = `var_a'
generate double z = `z'
generate double p = 2 * normal(-abs(`z'))
drop _ss_x
ss_export_table signrank
