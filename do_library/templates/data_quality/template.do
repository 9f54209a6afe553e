* Data quality: duplicates, incomplete rows, duplicate ids and outliers.
use "`main_data'", clear
local N = _N
local K 0
foreach v of varlist _all {
    local K = `K' + 1
}
duplicates report
preserve
duplicates drop
local unique = _N
restore
egen _ss_nmiss = rowmiss(_all)
count if _ss_nmiss > 0
local incomplete = r(N)
drop _ss_nmiss
local dupids = .
if "`id'" != "" {
    egen _ss_tag = tag(`id')
    count if !missing(`id')
    local nid = r(N)
    count if _ss_tag == 1 & !missing(`id')
    local dupids = `nid' - r(N)
    drop _ss_tag
}

* Outliers: one row per variable.
tempfile table
local i 0
foreach v of local vars {
    local i = `i' + 1
    summarize `v', detail
    local n = r(N)
    local q1 = r(p25)
    local q3 = r(p75)
    local lo = `q1' - `iqr_multiple' * (`q3' - `q1')
    local hi = `q3' + `iqr_multiple' * (`q3' - `q1')
    count if `v' < `lo'
    local nlo = r(N)
    count if `v' > `hi' & !missing(`v')
    local nhi = r(N)
    preserve
    keep in 1
    keep `v'
    rename `v' _ss_x
    generate int _ss_row = `i'
    generate str32 variable = "`v'"
    generate double n = `n'
    generate double p25 = `q1'
    generate double p75 = `q3'
    generate double lower_fence = `lo'
    generate double upper_fence = `hi'
    generate double n_below = `nlo'
    generate double n_above = `nhi'
    generate double pct_outliers = 100 * (`nlo' + `nhi') / `n'
    drop _ss_x
    if `i' > 1 {
        append using `table'
    }
    save `table', replace
    restore
}

keep in 1
generate double _ss_v1 = `N'
generate double _ss_v2 = `K'
generate double _ss_v3 = `N' - `unique'
generate double _ss_v4 = `incomplete'
generate double _ss_v5 = `dupids'
keep _ss_v1 _ss_v2 _ss_v3 _ss_v4 _ss_v5
generate byte _ss_one = 1
reshape long _ss_v, i(_ss_one) j(_ss_row)
generate str24 metric = "observations"
replace metric = "variables" if _ss_row == 2
replace metric = "duplicate_rows" if _ss_row == 3
replace metric = "incomplete_rows" if _ss_row == 4
replace metric = "duplicate_ids" if _ss_row == 5
rename _ss_v value
keep metric value
ss_export_table quality_summary

use `table', clear
sort _ss_row
drop _ss_row
ss_export_table outliers
