* Percentiles with binomial confidence intervals.
use "`main_data'", clear
local cents "25 50 75"
if "`set'" == "deciles" {
    local cents "10 20 30 40 50 60 70 80 90"
}
if "`set'" == "standard" {
    local cents "5 10 25 50 75 90 95"
}
local k : word count `cents'
tempfile table
local row 0
foreach v of local vars {
    centile `v', centile(`cents')
    local n = r(N)
    forvalues i = 1/`k' {
        local c_`i' = r(c_`i')
        local lb_`i' = r(lb_`i')
        local ub_`i' = r(ub_`i')
    }
    forvalues i = 1/`k' {
        local row = `row' + 1
        preserve
        keep in 1
        keep `v'
        rename `v' _ss_x
        generate int _ss_row = `row'
        generate str32 variable = "`v'"
        generate double n = `n'
        generate double percentile = real(word("`cents'", `i'))
        generate double value = `c_`i''
        generate double ci_lo = `lb_`i''
        generate double ci_hi = `ub_`i''
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
ss_export_table percentiles
