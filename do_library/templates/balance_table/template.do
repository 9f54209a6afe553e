* Balance table: means by group, differences, standardised differences and t-tests.
use "`main_data'", clear
tempfile table
local i 0
foreach v of local vars {
    local i = `i' + 1
    ttest `v', by(`group')
    local n1 = r(N_1)
    local n2 = r(N_2)
    local mean1 = r(mu_1)
    local mean2 = r(mu_2)
    local sd1 = r(sd_1)
    local sd2 = r(sd_2)
    local t = r(t)
    local p = r(p)
    preserve
    keep in 1
    keep `v'
    rename `v' _ss_x
    generate int _ss_row = `i'
    generate str32 variable = "`v'"
    generate double n1 = `n1'
    generate double mean1 = `mean1'
    generate double sd1 = `sd1'
    generate double n2 = `n2'
    generate double mean2 = `mean2'
    generate double sd2 = `sd2'
    generate double diff = `mean1' - `mean2'
    generate double std_diff = (`mean1' - `mean2') / sqrt((`sd1'^2 + `sd2'^2) / 2)
    generate double t = `t'
    generate double p = `p'
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
ss_export_table balance
