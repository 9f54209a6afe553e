* Two-sample t-test of `var' between the groups of `group'.
use "`main_data'", clear
local uneq ""
if `unequal' {
    local uneq "unequal"
}
ttest `var', by(`group') `uneq'
local n1 = r(N_1)
local n2 = r(N_2)
local mean1 = r(mu_1)
local mean2 = r(mu_2)
local sd1 = r(sd_1)
local sd2 = r(sd_2)
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
generate double n1 = `n1'
generate double n2 = `n2'
generate double mean1 = `mean1'
generate double mean2 = `mean2'
generate double sd1 = `sd1'
generate double sd2 = `sd2'
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
