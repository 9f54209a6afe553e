* Regression of `depvar' on `indepvars' with AR(1) errors (prais), beside OLS.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars')
keep if _ss_miss == 0
drop _ss_miss
sort `timevars'
generate long _ss_t = _n
tsset _ss_t
regress `depvar' `indepvars'
ss_store_model ols, title("OLS")
local corc ""
if "`method'" == "cochrane_orcutt" {
    local corc "corc"
}
prais `depvar' `indepvars', `corc' rhotype(`rhotype')
ss_store_model prais, title("AR(1) errors (`method')")
local N = e(N)
local rho = e(rho)
local dw0 = e(dw_0)
local dw = e(dw)
clear
set obs 1
generate str16 method = "`method'"
generate double N = `N'
generate double rho = `rho'
generate double dw_original = `dw0'
generate double dw_transformed = `dw'
ss_export_table ar1
