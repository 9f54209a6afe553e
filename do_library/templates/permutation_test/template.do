* Permutation test of the difference in means of `var' between the groups of `group'.
use "`main_data'", clear
keep if !missing(`var') & !missing(`group')
local stopt ""
if "`strata'" != "" {
    local stopt "strata(`strata')"
}
tempfile perms
permute `group' diff = (r(mu_2) - r(mu_1)), reps(`reps') seed(`seed') `stopt' saving(`perms') nodots: ttest `var', by(`group')
local N = r(N)
local observed = el(r(b), 1, 1)
local c = el(r(c), 1, 1)
local n = el(r(reps), 1, 1)
local p = el(r(p), 1, 1)
local ci_lo = el(r(ci), 1, 1)
local ci_hi = el(r(ci), 2, 1)

use `perms', clear
ss_export_table permutations

clear
set obs 1
generate str32 variable = "`var'"
generate str32 group = "`group'"
generate double difference = `observed'
generate double reps = `n'
generate double extreme = `c'
generate double p = `p'
generate double p_ci_lo = `ci_lo'
generate double p_ci_hi = `ci_hi'
ss_export_table permutation_test
