* Cohen's kappa of `rater1' and `rater2': unweighted, linear and quadratic weights (kap, wgt()).
use "`main_data'", clear
keep if !missing(`rater1') & !missing(`rater2')
tempname rows
tempfile table
postfile `rows' str10 weights double(N agreement expected_agreement kappa se z p) using `table'
foreach w in none w w2 {
    local opt ""
    if "`w'" != "none" {
        local opt "wgt(`w')"
    }
    kap `rater1' `rater2', `opt'
    local label = cond("`w'" == "none", "none", cond("`w'" == "w", "linear", "quadratic"))
    post `rows' ("`label'") (r(N)) (r(prop_o)) (r(prop_e)) (r(kappa)) (r(se)) (r(z)) (normal(-r(z)))
}
postclose `rows'
use `table', clear
ss_export_table weighted_kappa
