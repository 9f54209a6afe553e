* The coefficient of `focal' in qreg of `depvar' at each quantile of a grid, and a plot.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `focal' `controls')
keep if _ss_miss == 0
drop _ss_miss
local qs "0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9"
if "`grid'" == "quartiles" {
    local qs "0.25 0.5 0.75"
}
regress `depvar' `focal' `controls'
local ols = _b[`focal']
local N = e(N)
local j = 0
foreach q of local qs {
    local ++j
    qreg `depvar' `focal' `controls', quantile(`q')
    local b`j' = _b[`focal']
    local se`j' = _se[`focal']
    local df`j' = e(df_r)
}
clear
set obs `j'
generate double quantile = .
generate double coef = .
generate double se = .
generate double df_r = .
forvalues i = 1/`j' {
    replace quantile = `: word `i' of `qs'' in `i'
    replace coef = `b`i'' in `i'
    replace se = `se`i'' in `i'
    replace df_r = `df`i'' in `i'
}
generate double ci_lo = coef - invttail(df_r, 0.025) * se
generate double ci_hi = coef + invttail(df_r, 0.025) * se
generate double ols = `ols'
generate double N = `N'
generate str32 term = "`focal'"
order term quantile coef se ci_lo ci_hi df_r ols N
ss_export_table quantile_coefficients
twoway (rarea ci_lo ci_hi quantile, color(gs13)) (line coef quantile) (line ols quantile, lpattern(dash)), ///
    title("Coefficient of `focal' by quantile") xtitle("Quantile") ytitle("Coefficient") ///
    legend(order(2 "Quantile regression" 1 "95% CI" 3 "OLS"))
graph export results/quantile_process.png, replace
