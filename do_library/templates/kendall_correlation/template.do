* Kendall's rank correlation (tau-a, tau-b, score test) of every pair of `varlist' (ktau).
use "`main_data'", clear
local k : word count `varlist'
tempname rows
tempfile table
postfile `rows' str32 var1 str32 var2 double(N tau_a tau_b score se_score p) using `table'
forvalues i = 1/`=`k' - 1' {
    forvalues j = `=`i' + 1'/`k' {
        local a : word `i' of `varlist'
        local b : word `j' of `varlist'
        ktau `a' `b'
        post `rows' ("`a'") ("`b'") (r(N)) (r(tau_a)) (r(tau_b)) (r(score)) (r(se_score)) (r(p))
    }
}
postclose `rows'
use `table', clear
ss_export_table kendall
