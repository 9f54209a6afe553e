* One-sample t-test: H0 mean(`var') == `mu0'.
use "`main_data'", clear
ttest `var' == `mu0'
local n = r(N_1)
local mean = r(mu_1)
local sd = r(sd_1)
local se = r(se)
local t = r(t)
local df = r(df_t)
local p = r(p)
local p_l = r(p_l)
local p_u = r(p_u)

keep in 1
keep `var'
rename `var' _ss_x
generate str32 variable = "`var'"
generate double n = `n'
generate double mean = `mean'
generate double sd = `sd'
generate double se = `se'
generate double ci_lo = `mean' - invttail(`df', 0.025) * `se'
generate double ci_hi = `mean' + invttail(`df', 0.025) * `se'
generate double mu0 = `mu0'
generate double t = `t'
generate double df = `df'
generate double p = `p'
generate double p_lower = `p_l'
generate double p_upper = `p_u'
drop _ss_x
ss_export_table ttest
