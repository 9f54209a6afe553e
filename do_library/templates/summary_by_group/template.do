* Summary statistics of each variable within each group of `group'.
use "`main_data'", clear
tabstat `vars', by(`group') statistics(n mean sd min p50 max)
tempfile table
local i 0
foreach v of local vars {
    local i = `i' + 1
    preserve
    generate double _ss_x = `v'
    keep _ss_x `group'
    collapse (count) n = _ss_x (mean) mean = _ss_x (sd) sd = _ss_x (min) min = _ss_x (median) p50 = _ss_x (max) max = _ss_x, by(`group')
    generate int _ss_row = `i'
    generate str32 variable = "`v'"
    if `i' > 1 {
        append using `table'
    }
    save `table', replace
    restore
}
use `table', clear
sort _ss_row `group'
order variable `group' n mean sd min p50 max
drop _ss_row
ss_export_table summary_by_group
