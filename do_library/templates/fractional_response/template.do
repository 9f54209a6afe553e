* Fractional `link' regression of the share `depvar' on `indepvars', with average marginal effects.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars')
keep if _ss_miss == 0
drop _ss_miss
assert `depvar' >= 0 & `depvar' <= 1
regress `depvar' `indepvars', vce(robust)
ss_store_model ols, title("Linear model (OLS, robust)")
fracreg `link' `depvar' `indepvars'
ss_store_model fracreg, title("Fractional `link' (quasi-ML, robust)")

* Average marginal effect of x: the mean over the sample of b_x · dG(xb)/d(xb).
predict double _ss_xb, xb
if "`link'" == "logit" {
    generate double _ss_mean = invlogit(_ss_xb)
    generate double _ss_dens = _ss_mean * (1 - _ss_mean)
}
else {
    generate double _ss_mean = normal(_ss_xb)
    generate double _ss_dens = normalden(_ss_xb)
}
summarize _ss_mean
local mean_fit = r(mean)
summarize `depvar'
local mean_obs = r(mean)
tempname rows
tempfile table
postfile `rows' str32 term double(coef ame) using `table'
foreach x of varlist `indepvars' {
    generate double _ss_me = _b[`x'] * _ss_dens
    summarize _ss_me
    post `rows' ("`x'") (_b[`x']) (r(mean))
    drop _ss_me
}
postclose `rows'
use `table', clear
generate double mean_outcome = `mean_obs'
generate double mean_fitted = `mean_fit'
ss_export_table marginal_effects
