* Zero-inflated `model' of `depvar' on `indepvars', inflation by `inflate'; plain model beside it.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars' `inflate' `exposure')
keep if _ss_miss == 0
drop _ss_miss
local expopt ""
if "`exposure'" != "" {
    local expopt "exposure(`exposure')"
}
count if `depvar' == 0
local zeros_observed = r(N) / _N
local plain = cond("`model'" == "zip", "poisson", "nbreg")
if "`model'" == "zip" {
    poisson `depvar' `indepvars', `expopt' vce(`vce') level(`level')
}
else {
    nbreg `depvar' `indepvars', `expopt' vce(`vce') level(`level')
}
ss_store_model `plain', title("Plain count model (`plain')") level(`level')
local ll_plain = e(ll)
local k_plain = e(rank)
tempvar mu p0
predict double `mu', n
if "`plain'" == "poisson" {
    generate double `p0' = exp(-`mu')
}
else {
    generate double `p0' = (1 + e(alpha) * `mu')^(-1 / e(alpha))
}
summarize `p0', meanonly
local zeros_plain = r(mean)

if "`model'" == "zip" {
    zip `depvar' `indepvars', inflate(`inflate') `expopt' vce(`vce') level(`level')
}
else {
    zinb `depvar' `indepvars', inflate(`inflate') `expopt' vce(`vce') level(`level')
}
ss_store_model `model', title("Zero-inflated model (`model')") level(`level')
local ll_zi = e(ll)
local k_zi = e(rank)
local N = e(N)
local zi_alpha = cond("`model'" == "zinb", e(alpha), .)
* Predicted share of zeros: p + (1 - p) f(0) with p the logit of the inflate equation
tempvar zg xb pz f0
generate double `zg' = _b[inflate:_cons]
foreach v of varlist `inflate' {
    replace `zg' = `zg' + _b[inflate:`v'] * `v'
}
generate double `xb' = _b[`depvar':_cons]
foreach v of varlist `indepvars' {
    replace `xb' = `xb' + _b[`depvar':`v'] * `v'
}
if "`exposure'" != "" {
    replace `xb' = `xb' + ln(`exposure')
}
generate double `pz' = invlogit(`zg')
if "`model'" == "zip" {
    generate double `f0' = exp(-exp(`xb'))
}
else {
    generate double `f0' = (1 + `zi_alpha' * exp(`xb'))^(-1 / `zi_alpha')
}
replace `f0' = `pz' + (1 - `pz') * `f0'
summarize `f0', meanonly
local zeros_zi = r(mean)
local z = invnormal(1 - (100 - `level') / 200)
local k : word count `indepvars'
local terms "`indepvars' _cons"

preserve
clear
set obs `=`k' + 1'
generate str32 term = ""
generate double irr = .
generate double ci_lo = .
generate double ci_hi = .
forvalues j = 1/`=`k' + 1' {
    local t : word `j' of `terms'
    replace term = "`t'" in `j'
    replace irr = exp(_b[`depvar':`t']) in `j'
    replace ci_lo = exp(_b[`depvar':`t'] - `z' * _se[`depvar':`t']) in `j'
    replace ci_hi = exp(_b[`depvar':`t'] + `z' * _se[`depvar':`t']) in `j'
}
ss_export_table irr

clear
set obs 2
generate str16 model = "`plain'" in 1
replace model = "`model'" in 2
generate double N = `N'
generate double ll = cond(_n == 1, `ll_plain', `ll_zi')
generate double parameters = cond(_n == 1, `k_plain', `k_zi')
generate double aic = -2 * ll + 2 * parameters
generate double zeros_observed = `zeros_observed'
generate double zeros_predicted = cond(_n == 1, `zeros_plain', `zeros_zi')
ss_export_table fit_comparison
restore
