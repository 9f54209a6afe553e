* Winsorise `vars' at the `lower'th and `upper'th percentiles within each `timevar'.
use "`main_data'", clear
generate long _ss_order = _n
tempfile table
local i 0
foreach v of local vars {
    local i = `i' + 1
    egen double _ss_lo = pctile(`v'), p(`lower') by(`timevar')
    egen double _ss_hi = pctile(`v'), p(`upper') by(`timevar')
    generate double w_`v' = `v'
    replace w_`v' = _ss_lo if `v' < _ss_lo
    replace w_`v' = _ss_hi if `v' > _ss_hi & !missing(`v')
    label variable w_`v' "`v' winsorised at p`lower' and p`upper' within `timevar'"
    generate byte _ss_raised = `v' < _ss_lo
    generate byte _ss_lowered = `v' > _ss_hi & !missing(`v')
    preserve
    keep if !missing(`timevar')
    collapse (first) lower_cut = _ss_lo upper_cut = _ss_hi (sum) n_raised = _ss_raised n_lowered = _ss_lowered (count) n = `v', by(`timevar')
    generate str32 variable = "`v'"
    generate int _ss_row = `i'
    if `i' > 1 {
        append using `table'
    }
    save `table', replace
    restore
    drop _ss_lo _ss_hi _ss_raised _ss_lowered
}
sort _ss_order
drop _ss_order
ss_export_table winsorized
use `table', clear
sort _ss_row `timevar'
drop _ss_row
order variable `timevar' n lower_cut upper_cut n_raised n_lowered
ss_export_table period_cutoffs
