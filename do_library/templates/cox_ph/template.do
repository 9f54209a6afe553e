* Cox proportional-hazards model of `time' (events `event') on `indepvars', with the PH test.
use "`main_data'", clear
egen _ss_miss = rowmiss(`time' `event' `indepvars')
keep if _ss_miss == 0 & `time' > 0
drop _ss_miss
stset `time', failure(`event')
stcox `indepvars', `ties'
ss_store_model cox, title("Cox PH (`ties' ties)")
local N = e(N)
local fail = e(N_fail)
local z = invnormal(1 - (100 - `level') / 200)
matrix _ss_b = e(b)
matrix _ss_V = e(V)
local terms : colnames _ss_b
local k = colsof(_ss_b)
* Analysis time is phtest's default; log and km are its options.
local tf ""
if "`timefn'" != "time" {
    local tf "`timefn'"
}
estat phtest, `tf'
local chi2 = r(chi2)
local df = r(df)
local p = r(p)

clear
set obs `k'
generate str32 term = ""
generate double coef = .
generate double se = .
forvalues j = 1/`k' {
    local name : word `j' of `terms'
    replace term = "`name'" in `j'
    replace coef = _ss_b[1, `j'] in `j'
    replace se = sqrt(_ss_V[`j', `j']) in `j'
}
generate double hazard_ratio = exp(coef)
generate double z = coef / se
generate double p = 2 * normal(-abs(z))
generate double hr_lo = exp(coef - `z' * se)
generate double hr_hi = exp(coef + `z' * se)
order term coef se hazard_ratio hr_lo hr_hi z p
ss_export_table hazard_ratios

clear
set obs 1
generate str8 time_function = "`timefn'"
generate double chi2 = `chi2'
generate double df = `df'
generate double p = `p'
generate double N = `N'
generate double failures = `fail'
ss_export_table ph_test
