* Pairwise Pearson correlations with p-values and the number of observations.
use "`main_data'", clear
pwcorr `vars', sig obs
local k : word count `vars'
tempfile table
local row 0
forvalues i = 1/`=`k' - 1' {
    forvalues j = `=`i' + 1'/`k' {
        local a : word `i' of `vars'
        local b : word `j' of `vars'
        correlate `a' `b'
        local rho = r(rho)
        local n = r(N)
        local row = `row' + 1
        preserve
        keep in 1
        keep `a'
        rename `a' _ss_x
        generate int _ss_row = `row'
        generate str32 var1 = "`a'"
        generate str32 var2 = "`b'"
        generate double r = `rho'
        generate double p = min(1, 2 * ttail(`n' - 2, abs(`rho') * sqrt((`n' - 2) / (1 - (`rho')^2))))
        generate double n = `n'
        drop _ss_x
        if `row' > 1 {
            append using `table'
        }
        save `table', replace
        restore
    }
}
use `table', clear
sort _ss_row
drop _ss_row
ss_export_table correlations
