* Bootstrap of the `statistic' of `var': bias, standard error and three confidence intervals.
use "`main_data'", clear
keep if !missing(`var')
local expr "r(`statistic')"
if "`statistic'" == "median" {
    local expr "r(p50)"
}
if "`statistic'" == "iqr" {
    local expr "r(p75) - r(p25)"
}
local clopt ""
if "`cluster'" != "" {
    drop if missing(`cluster')
    local clopt "cluster(`cluster')"
}
tempfile draws
bootstrap stat = (`expr'), reps(`reps') seed(`seed') `clopt' level(`level') saving(`draws') nodots: summarize `var', detail
local N = e(N)
local observed = _b[stat]
local bias = el(e(bias), 1, 1)
local se = _se[stat]
local n_lo = el(e(ci_normal), 1, 1)
local n_hi = el(e(ci_normal), 2, 1)
local p_lo = el(e(ci_percentile), 1, 1)
local p_hi = el(e(ci_percentile), 2, 1)
local bc_lo = el(e(ci_bc), 1, 1)
local bc_hi = el(e(ci_bc), 2, 1)
local n_reps = e(N_reps)

use `draws', clear
ss_export_table replicates

clear
set obs 1
generate str32 variable = "`var'"
generate str8 statistic = "`statistic'"
generate double N = `N'
generate double reps = `n_reps'
generate double observed = `observed'
generate double bias = `bias'
generate double se = `se'
generate double normal_lo = `n_lo'
generate double normal_hi = `n_hi'
generate double percentile_lo = `p_lo'
generate double percentile_hi = `p_hi'
generate double bc_lo = `bc_lo'
generate double bc_hi = `bc_hi'
ss_export_table bootstrap_ci
