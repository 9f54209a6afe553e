* Winsorise `vars' at the `lower'th and `upper'th percentiles.
use "`main_data'", clear
tempfile table
local i 0
foreach v of local vars {
    local i = `i' + 1
    egen double _ss_lo = pctile(`v'), p(`lower')
    egen double _ss_hi = pctile(`v'), p(`upper')
    local lo = _ss_lo[1]
    local hi = _ss_hi[1]
    drop _ss_lo _ss_hi
    generate double w_`v' = `v'
    replace w_`v' = `lo' if `v' < `lo'
    replace w_`v' = `hi' if `v' > `hi' & !missing(`v')
    label variable w_`v' "`v' winsorised at p`lower' and p`upper'"
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
    generate double lower_cut = `lo'
    generate double upper_cut = `hi'
    generate double n_raised = `nlo'
    generate double n_lowered = `nhi'
    drop _ss_x
    if `i' > 1 {
        append using `table'
    }
    save `table', replace
    restore
}
ss_export_table winsorized
use `table', clear
sort _ss_row
drop _ss_row
ss_export_table winsorization
