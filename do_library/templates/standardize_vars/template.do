* z-scores of `vars', over the sample or within groups of `by'.
use "`main_data'", clear
local byopt ""
if "`by'" != "" {
    local byopt ", by(`by')"
}
tempfile table
local i 0
foreach v of local vars {
    local i = `i' + 1
    egen double _ss_m = mean(`v') `byopt'
    egen double _ss_s = sd(`v') `byopt'
    generate double z_`v' = (`v' - _ss_m) / _ss_s
    label variable z_`v' "z-score of `v'"
    drop _ss_m _ss_s
    preserve
    keep if !missing(`v')
    generate double _ss_x = `v'
    generate byte _ss_grp = 1
    collapse (count) n = _ss_x (mean) mean = _ss_x (sd) sd = _ss_x, by(`by' _ss_grp)
    drop _ss_grp
    generate int _ss_row = `i'
    generate str32 variable = "`v'"
    if `i' > 1 {
        append using `table'
    }
    save `table', replace
    restore
}
ss_export_table standardized
use `table', clear
sort _ss_row `by'
drop _ss_row
order variable `by' n mean sd
ss_export_table standardization
