* Paired t-test: H0 mean(`var1' - `var2') == 0.
use "`main_data'", clear
ttest `var1' == `var2'
local n = r(N_1)
local mean1 = r(mu_1)
local mean2 = r(mu_2)
local se = r(se)
local t = r(t)
local df = r(df_t)
local p = r(p)
local p_l = r(p_l)
local p_u = r(p_u)

keep in 1
keep `var1'
rename `var1' _ss_x
generate str32 variable1 = "`var1'"
generate str32 variable2 = "`var2'"
generate double n = `n'
generate double mean1 = `mean1'
generate double mean2 = `mean2'
generate double diff = `mean1' - `mean2'
generate double se = `se'
generate double ci_lo = diff - invttail(`df', 0.025) * `se'
generate double ci_hi = diff + invttail(`df', 0.025) * `se'
generate double t = `t'
generate double df = `df'
generate double p = `p'
generate double p_lower = `p_l'
generate double p_upper = `p_u'
drop _ss_x
ss_export_table ttest
