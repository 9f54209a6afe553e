* Tobit of `depvar' on `indepvars' censored at `lower' (and `upper'), beside OLS.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars')
keep if _ss_miss == 0
drop _ss_miss
local ulopt ""
if "`upper'" != "" {
    local ulopt "ul(`upper')"
}
local regvce "ols"
if "`vce'" == "robust" {
    local regvce "robust"
}
regress `depvar' `indepvars', vce(`regvce')
ss_store_model ols, title("OLS (ignoring censoring)")
tobit `depvar' `indepvars', ll(`lower') `ulopt' vce(`vce')
ss_store_model tobit, title("Tobit")
local N = e(N)
local N_lc = e(N_lc)
local N_unc = e(N_unc)
local N_rc = e(N_rc)
clear
set obs 1
generate double N = `N'
generate double left_censored = `N_lc'
generate double uncensored = `N_unc'
generate double right_censored = `N_rc'
ss_export_table censoring
