* Spearman rank correlations of every pair of `vars', each pair on its complete observations.
use "`main_data'", clear
tempfile table
local row 0
local k : word count `vars'
forvalues i = 1/`=`k' - 1' {
    forvalues j = `=`i' + 1'/`k' {
        local a : word `i' of `vars'
        local b : word `j' of `vars'
        preserve
        keep if !missing(`a') & !missing(`b')
        egen double _ss_ra = rank(`a')
        egen double _ss_rb = rank(`b')
        correlate _ss_ra _ss_rb
        local rho = r(rho)
        local n = r(N)
        local row = `row' + 1
        clear
        set obs 1
        generate int _ss_row = `row'
        generate str32 var1 = "`a'"
        generate str32 var2 = "`b'"
        generate double rho = `rho'
        generate double n = `n'
        generate double t = rho * sqrt((n - 2) / (1 - rho^2))
        generate double p = 2 * ttail(n - 2, abs(t))
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
ss_export_table spearman
