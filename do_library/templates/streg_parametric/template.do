* Parametric survival model (`distribution') of `time' (events `event') on `indepvars'.
use "`main_data'", clear
egen _ss_miss = rowmiss(`time' `event' `indepvars')
keep if _ss_miss == 0 & `time' > 0
drop _ss_miss
stset `time', failure(`event')
local aft ""
if "`metric'" == "aft" {
    local aft "time"
}
streg `indepvars', distribution(`distribution') `aft'
ss_store_model streg, title("`distribution' (`metric' metric)")
local z = invnormal(1 - (100 - `level') / 200)
matrix _ss_b = e(b)
matrix _ss_V = e(V)
local terms : colfullnames _ss_b
local k = colsof(_ss_b)

* The covariates' effects as ratios: hazard ratios (PH) or time ratios (AFT).
clear
set obs `k'
generate str40 term = ""
generate double coef = .
generate double se = .
forvalues j = 1/`k' {
    local name : word `j' of `terms'
    replace term = "`name'" in `j'
    replace coef = _ss_b[1, `j'] in `j'
    replace se = sqrt(_ss_V[`j', `j']) in `j'
}
keep if substr(term, 1, 3) == "_t:" & term != "_t:_cons"
replace term = substr(term, 4, .)
generate str6 ratio_type = cond("`metric'" == "aft", "time", "hazard")
generate double ratio = exp(coef)
generate double ratio_lo = exp(coef - `z' * se)
generate double ratio_hi = exp(coef + `z' * se)
generate double z = coef / se
generate double p = 2 * normal(-abs(z))
ss_export_table ratios
