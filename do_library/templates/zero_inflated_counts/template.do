* Zero-inflated `model' of `depvar' on `indepvars', inflation by `inflate'; plain model beside it.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars' `inflate' `exposure')
keep if _ss_miss == 0
drop _ss_miss
local expopt ""
if "`exposure'" != "" {
    local expopt "exposure(`exposure')"
}
local top = `max_count' + 1
local nx : word count `indepvars'
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
* Predicted distribution of the count: Pr(y = k), k = 0 .. max_count, and Pr(y > max_count)
forvalues k = 0/`max_count' {
    predict double _ss_plain`k', pr(`k')
}
predict double _ss_plain`top', pr(`top', .)
predict double _ss_mu_plain, n

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
forvalues k = 0/`max_count' {
    predict double _ss_zi`k', pr(`k')
}
predict double _ss_zi`top', pr(`top', .)
* Expected count (1 - p) exp(xb) and p, the probability of a structural zero
predict double _ss_mu_zi, n
predict double _ss_always0, pr
* Average marginal effects on the expected count (a regressor may enter both equations)
margins, dydx(`indepvars')
tempname ame ame_V
matrix `ame' = r(b)
matrix `ame_V' = r(V)

* Sample averages: observed shares and the mean predictions of each model
forvalues k = 0/`top' {
    count if `depvar' == `k' | (`k' == `top' & `depvar' > `top')
    local obs`k' = r(N) / _N
    summarize _ss_plain`k', meanonly
    local plain`k' = r(mean)
    summarize _ss_zi`k', meanonly
    local zi`k' = r(mean)
}
summarize `depvar', meanonly
local mu_obs = r(mean)
foreach v in mu_plain mu_zi always0 {
    summarize _ss_`v', meanonly
    local `v' = r(mean)
}
local z = invnormal(1 - (100 - `level') / 200)
local terms "`indepvars' _cons"

preserve
clear
set obs `=`nx' + 1'
generate str32 term = ""
generate double irr = .
generate double ci_lo = .
generate double ci_hi = .
forvalues j = 1/`=`nx' + 1' {
    local t : word `j' of `terms'
    replace term = "`t'" in `j'
    replace irr = exp(_b[`depvar':`t']) in `j'
    replace ci_lo = exp(_b[`depvar':`t'] - `z' * _se[`depvar':`t']) in `j'
    replace ci_hi = exp(_b[`depvar':`t'] + `z' * _se[`depvar':`t']) in `j'
}
ss_export_table irr

clear
set obs `nx'
generate str32 term = ""
generate double dydx = .
generate double se = .
forvalues j = 1/`nx' {
    replace term = "`: word `j' of `indepvars''" in `j'
    replace dydx = `ame'[1, `j'] in `j'
    replace se = sqrt(`ame_V'[`j', `j']) in `j'
}
generate double ci_lo = dydx - `z' * se
generate double ci_hi = dydx + `z' * se
ss_export_table marginal_effects

clear
set obs `=`top' + 1'
generate str16 count = string(_n - 1)
replace count = "`top' or more" in `=`top' + 1'
generate double observed = .
generate double predicted_plain = .
generate double predicted_zi = .
forvalues k = 0/`top' {
    replace observed = `obs`k'' in `=`k' + 1'
    replace predicted_plain = `plain`k'' in `=`k' + 1'
    replace predicted_zi = `zi`k'' in `=`k' + 1'
}
ss_export_table count_distribution

clear
set obs 2
generate str16 model = "`plain'" in 1
replace model = "`model'" in 2
generate double N = `N'
generate double ll = cond(_n == 1, `ll_plain', `ll_zi')
generate double parameters = cond(_n == 1, `k_plain', `k_zi')
generate double aic = -2 * ll + 2 * parameters
generate double zeros_observed = `obs0'
generate double zeros_predicted = cond(_n == 1, `plain0', `zi0')
generate double mean_observed = `mu_obs'
generate double mean_predicted = cond(_n == 1, `mu_plain', `mu_zi')
generate double pr_structural_zero = cond(_n == 1, 0, `always0')
ss_export_table fit_comparison
restore
