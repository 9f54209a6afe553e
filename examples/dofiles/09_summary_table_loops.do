* 09_summary_table_loops.do
* "Table 1": means and standard deviations by treatment arm with a difference
* column, built with loops over variables, r() results and a matrix, then
* written out with file write.

clear all
set more off
set seed 1234

set obs 800
gen byte treat = runiform() < .5
gen age = 30 + 10*rnormal()
gen female = runiform() < .55
gen income = exp(rnormal(10, .7))
gen hhsize = 1 + floor(6*runiform())
gen baseline_score = 50 + 10*rnormal() + 2*treat
label variable age "Age"
label variable female "Female"
label variable income "Household income"
label variable hhsize "Household size"
label variable baseline_score "Baseline test score"

local vars age female income hhsize baseline_score
local nvars : word count `vars'
matrix T = J(`nvars', 5, .)
matrix colnames T = mean_c sd_c mean_t sd_t p_diff
matrix rownames T = `vars'

local row = 0
foreach v of local vars {
    local ++row
    quietly summarize `v' if treat == 0
    matrix T[`row', 1] = r(mean)
    matrix T[`row', 2] = r(sd)
    quietly summarize `v' if treat == 1
    matrix T[`row', 3] = r(mean)
    matrix T[`row', 4] = r(sd)
    quietly ttest `v', by(treat)
    matrix T[`row', 5] = r(p)
}
matrix list T, format(%9.3f)

* the same numbers as text, one line per variable
tempname fh
file open `fh' using table1.csv, write replace
file write `fh' "variable,label,mean_control,sd_control,mean_treated,sd_treated,p_value" _n
local row = 0
foreach v of local vars {
    local ++row
    local lab : variable label `v'
    file write `fh' "`v',`lab'"
    forvalues c = 1/5 {
        file write `fh' "," %9.4f (T[`row', `c'])
    }
    file write `fh' _n
}
file close `fh'

* joint test of balance
quietly regress treat `vars'
display "F-test that baseline covariates jointly predict treatment: p = " ///
    %5.3f Ftail(e(df_m), e(df_r), e(F))

* quick tabstat version for the log
tabstat `vars', by(treat) statistics(mean sd n) columns(statistics) format(%9.2f)
