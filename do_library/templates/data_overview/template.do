* Data overview: one row per variable with type, missing values and range.
use "`main_data'", clear
if "`vars'" == "" {
    local vars "_all"
}
describe `vars'
summarize `vars'
local N = _N
tempfile table
local i 0
foreach v of varlist `vars' {
    local i = `i' + 1
    local type : type `v'
    count if missing(`v')
    local nmiss = r(N)
    egen _ss_tag = tag(`v')
    count if _ss_tag == 1 & !missing(`v')
    local ndistinct = r(N)
    drop _ss_tag
    local numeric 0
    local min = .
    local mean = .
    local max = .
    capture confirm numeric variable `v'
    if _rc == 0 {
        local numeric 1
        summarize `v'
        local min = r(min)
        local mean = r(mean)
        local max = r(max)
    }
    preserve
    keep in 1
    keep `v'
    rename `v' _ss_x
    generate int _ss_row = `i'
    generate str32 variable = "`v'"
    generate str8 type = "`type'"
    generate byte numeric = `numeric'
    generate double n = `N' - `nmiss'
    generate double n_missing = `nmiss'
    generate double pct_missing = 100 * `nmiss' / `N'
    generate double n_distinct = `ndistinct'
    generate double min = `min'
    generate double mean = `mean'
    generate double max = `max'
    drop _ss_x
    if `i' > 1 {
        append using `table'
    }
    save `table', replace
    restore
}
use `table', clear
sort _ss_row
drop _ss_row
ss_export_table overview
