* Summary statistics, one row per variable.
use "`main_data'", clear
summarize `vars'
tempfile table
local i 0
foreach v of local vars {
    local i = `i' + 1
    preserve
    generate double _ss_x = `v'
    keep _ss_x
    collapse (count) n = _ss_x (mean) mean = _ss_x (sd) sd = _ss_x (min) min = _ss_x (p25) p25 = _ss_x (median) p50 = _ss_x (p75) p75 = _ss_x (max) max = _ss_x
    generate int _ss_row = `i'
    generate str32 variable = "`v'"
    if `i' > 1 {
        append using `table'
    }
    save `table', replace
    restore
}
use `table', clear
sort _ss_row
order variable n mean sd min p25 p50 p75 max
drop _ss_row
ss_export_table summary_stats
