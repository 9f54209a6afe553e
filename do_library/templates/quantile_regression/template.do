* Quantile regression of `depvar' at q = `quantile', beside OLS.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars')
keep if _ss_miss == 0
drop _ss_miss
local regvce "ols"
local qvce "iid"
if "`vce'" == "robust" {
    local regvce "robust"
    local qvce "robust, kernel"
}
regress `depvar' `indepvars', vce(`regvce')
ss_store_model ols, title("OLS (mean)")
qreg `depvar' `indepvars', quantile(`quantile') vce(`qvce')
ss_store_model qreg, title("Quantile regression (q = `quantile')")
local N = e(N)
local q = e(q)
local sum_adev = e(sum_adev)
local sum_rdev = e(sum_rdev)
local sparsity = e(sparsity)
clear
set obs 1
generate double N = `N'
generate double quantile = `q'
generate double sum_adev = `sum_adev'
generate double sum_rdev = `sum_rdev'
generate double pseudo_r2 = 1 - sum_adev / sum_rdev
generate double sparsity = `sparsity'
ss_export_table qreg_fit
