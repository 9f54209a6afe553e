* Rank `var' (within `by'): average-tie ranks, percentile ranks, `groups' quantile groups.
use "`main_data'", clear
local byopt ""
if "`by'" != "" {
    local byopt "by(`by')"
}
generate double _ss_key = `var'
if `descending' {
    replace _ss_key = -`var'
}
egen double `prefix'_rank = rank(_ss_key), `byopt'
egen double _ss_n = count(_ss_key), `byopt'
generate double `prefix'_pctrank = 100 * (`prefix'_rank - 0.5) / _ss_n
generate int `prefix'_group = ceil(`groups' * `prefix'_rank / _ss_n)
drop _ss_key _ss_n
ss_export_table ranked
