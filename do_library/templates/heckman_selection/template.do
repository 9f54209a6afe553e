* Heckman selection model: `depvar' on `indepvars', selection on `indepvars' `exclusion'.
use "`main_data'", clear
* The selection indicator: `selected' when given, else whether `depvar' is observed.
if "`selected'" != "" {
    keep if !missing(`selected')
    generate byte _ss_sel = (`selected' != 0)
}
else {
    generate byte _ss_sel = !missing(`depvar')
}
egen _ss_miss = rowmiss(`indepvars' `exclusion')
keep if _ss_miss == 0
drop _ss_miss
egen _ss_miss = rowmiss(`depvar')
drop if _ss_sel == 1 & _ss_miss > 0
drop _ss_miss
count if _ss_sel == 1
local n_sel = r(N)
regress `depvar' `indepvars' if _ss_sel == 1
ss_store_model ols, title("OLS on the selected sample")
local method_opt ""
if "`method'" == "twostep" {
    local method_opt "twostep"
}
heckman `depvar' `indepvars', select(_ss_sel = `indepvars' `exclusion') `method_opt'
ss_store_model heckman, title("Heckman selection (`method')")
local N = e(N)
local rho = e(rho)
local sigma = e(sigma)
local lambda = e(lambda)
local selambda = e(selambda)
local chi2_c = e(chi2_c)
local p_c = e(p_c)

clear
set obs 1
generate str8 method = "`method'"
generate double N = `N'
generate double selected = `n_sel'
generate double rho = `rho'
generate double sigma = `sigma'
generate double lambda = `lambda'
generate double se_lambda = `selambda'
generate double lr_chi2_rho0 = `chi2_c'
generate double p_rho0 = `p_c'
ss_export_table selection
