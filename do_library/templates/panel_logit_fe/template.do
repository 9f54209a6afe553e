* Fixed-effects (conditional) logit of `depvar' on `indepvars' in the `panelvar' x `timevar' panel, beside a pooled logit.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars' `panelvar' `timevar')
keep if _ss_miss == 0
drop _ss_miss
xtset `panelvar' `timevar'
local periods ""
if `time_effects' {
    local periods "i.`timevar'"
}
count
local n_all = r(N)
logit `depvar' `indepvars' `periods', vce(cluster `panelvar')
ss_store_model pooled, title("Pooled logit (clustered by `panelvar')")
xtlogit `depvar' `indepvars' `periods', fe
ss_store_model fe, title("Fixed-effects (conditional) logit")
local N = e(N)
local N_g = e(N_g)
local z = invnormal(1 - (100 - `level') / 200)
tempname rows
tempfile table
postfile `rows' str32 term double(coef se odds_ratio or_lo or_hi z p) using `table'
foreach x of varlist `indepvars' {
    local b = _b[`x']
    local s = _se[`x']
    post `rows' ("`x'") (`b') (`s') (exp(`b')) (exp(`b' - `z' * `s')) (exp(`b' + `z' * `s')) (`b' / `s') (2 * normal(-abs(`b' / `s')))
}
postclose `rows'
use `table', clear
generate double N_used = `N'
generate double groups_used = `N_g'
generate double N_dropped = `n_all' - `N'
ss_export_table odds_ratios
