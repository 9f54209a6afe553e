* Population-averaged (GEE) `link' of `depvar' on `indepvars' in the `panelvar' x `timevar' panel, with average marginal effects.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars' `panelvar' `timevar')
keep if _ss_miss == 0
drop _ss_miss
xtset `panelvar' `timevar'
xt`link' `depvar' `indepvars', pa corr(`corr') vce(`vce') level(`level')
ss_store_model pa, title("Population-averaged `link' (GEE, `corr' correlation)") level(`level')
tempname R
matrix `R' = e(R)
local alpha = cond(colsof(`R') > 1, `R'[1, 2], 0)
local N = e(N)
local N_g = e(N_g)
local chi2 = e(chi2)
local df_m = e(df_m)
local p = e(p)
margins, dydx(`indepvars') post
ss_store_model ame, title("Average marginal effects on Pr(`depvar' = 1)") level(`level')
preserve
clear
set obs 1
generate double N = `N'
generate double groups = `N_g'
generate double working_correlation = `alpha'
generate double wald_chi2 = `chi2'
generate double df = `df_m'
generate double p = `p'
ss_export_table pa_summary
restore
