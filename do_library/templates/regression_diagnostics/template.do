* OLS of `depvar' on `indepvars' with hettest, RESET, VIFs and the residual-vs-fitted plot.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars')
keep if _ss_miss == 0
drop _ss_miss
regress `depvar' `indepvars'
ss_store_model ols, title("OLS")
rvfplot, yline(0) title("Residuals versus fitted values")
graph export results/residuals_vs_fitted.png, replace
estat hettest
local bp = r(chi2)
local bp_df = r(df)
local bp_p = r(p)
estat ovtest
local reset = r(F)
local reset_df = r(df)
local reset_dfr = r(df_r)
local reset_p = r(p)
estat vif
local k : word count `indepvars'
forvalues j = 1/`k' {
    local vif`j' = r(vif_`j')
    local name`j' = "`r(name_`j')'"
}

clear
set obs 2
generate str48 test = ""
generate double statistic = .
generate str4 stat_type = ""
generate double df = .
generate double df_r = .
generate double p = .
replace test = "Breusch-Pagan / Cook-Weisberg (fitted values)" in 1
replace statistic = `bp' in 1
replace stat_type = "chi2" in 1
replace df = `bp_df' in 1
replace p = `bp_p' in 1
replace test = "Ramsey RESET (powers 2-4 of fitted values)" in 2
replace statistic = `reset' in 2
replace stat_type = "F" in 2
replace df = `reset_df' in 2
replace df_r = `reset_dfr' in 2
replace p = `reset_p' in 2
ss_export_table specification_tests

clear
set obs `k'
generate str32 term = ""
generate double vif = .
forvalues j = 1/`k' {
    replace term = "`name`j''" in `j'
    replace vif = `vif`j'' in `j'
}
generate double tolerance = 1 / vif
ss_export_table vif
