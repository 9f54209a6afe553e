* Platform test template: regression with clustered errors, a collapse to group means and
* the means merged back (m:1) on one dataset, as bench/bigdata runs it at 1M-10M rows.
use "`main_data'", clear
regress `depvar' `indepvars', vce(cluster `clustvar')
ss_store_model bigdata, title("OLS, clustered standard errors")
preserve
collapse (mean) group_mean = `depvar' (count) group_n = `depvar', by(`clustvar')
save group_means, replace
restore
merge m:1 `clustvar' using group_means, nogenerate
summarize group_mean group_n
