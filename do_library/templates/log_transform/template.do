* Natural logarithm of each variable plus `shift'.
use "`main_data'", clear
tempfile table
local i 0
foreach v of local vars {
    local i = `i' + 1
    generate double ln_`v' = ln(`v' + `shift') if `v' + `shift' > 0 & !missing(`v')
    label variable ln_`v' "ln(`v' + `shift')"
    count if !missing(ln_`v')
    local n = r(N)
    count if !missing(`v') & missing(ln_`v')
    local nbad = r(N)
    preserve
    keep in 1
    keep `v'
    rename `v' _ss_x
    generate int _ss_row = `i'
    generate str32 variable = "`v'"
    generate double n_transformed = `n'
    generate double n_not_positive = `nbad'
    drop _ss_x
    if `i' > 1 {
        append using `table'
    }
    save `table', replace
    restore
}
ss_export_table log_transformed
use `table', clear
sort _ss_row
drop _ss_row
ss_export_table log_summary
