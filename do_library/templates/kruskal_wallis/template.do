* Kruskal-Wallis test of `var' across the groups of `group' (the statistic of kwallis).
use "`main_data'", clear
keep if !missing(`var') & !missing(`group')
egen double _ss_rank = rank(`var')
local N = _N

* Tie correction: 1 - sum(t^3 - t) / (N^3 - N) over the sets of tied values.
egen double _ss_t = count(`var'), by(`var')
egen byte _ss_first = tag(`var')
generate double _ss_tt = cond(_ss_first == 1, _ss_t^3 - _ss_t, 0)
summarize _ss_tt
local ties = r(sum)

collapse (count) n = _ss_rank (sum) rank_sum = _ss_rank (mean) mean_rank = _ss_rank, by(`group')
local k = _N
generate double _ss_term = rank_sum^2 / n
summarize _ss_term
local H = 12 / (`N' * (`N' + 1)) * r(sum) - 3 * (`N' + 1)
local H_adj = `H' / (1 - `ties' / (`N'^3 - `N'))
drop _ss_term
ss_export_table group_ranks

clear
set obs 1
generate str32 variable = "`var'"
generate double N = `N'
generate double groups = `k'
generate double df = `k' - 1
generate double chi2 = `H'
generate double p = chi2tail(df, chi2)
generate double chi2_ties = `H_adj'
generate double p_ties = chi2tail(df, chi2_ties)
ss_export_table kruskal_wallis
