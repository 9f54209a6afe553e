* Staggered DiD: Borusyak–Jaravel–Spiess imputation estimator beside two-way fixed effects.
* The imputation: two-way fixed effects (and controls) fitted by OLS on the untreated rows
* only, Y(0) imputed for the treated rows, tau_it = y - Y(0)_hat averaged overall and by
* horizon (periods since adoption). Standard errors: bootstrap resampling whole units.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `panelvar' `timevar' `controls')
keep if _ss_miss == 0
drop _ss_miss
generate double _ss_rel = `timevar' - `eventvar'
generate byte _ss_treat = !missing(_ss_rel) & _ss_rel >= 0
label variable _ss_treat "Treated (from the adoption period on)"

* Treated rows of units never observed untreated cannot be imputed: such units are dropped.
egen _ss_n0 = total(!_ss_treat), by(`panelvar')
drop if _ss_n0 == 0
drop _ss_n0

* Comparison: the two-way fixed-effects coefficient on the treatment indicator.
xtset `panelvar' `timevar'
xtreg `depvar' _ss_treat `controls' i.`timevar', fe vce(cluster `panelvar')
ss_store_model did_twfe, title("DiD, two-way fixed effects")

* One imputation on the data in memory: outcome, unit, period, then the controls. In a
* bootstrap replicate the relabelled clusters of idcluster() are the units (a unit drawn
* twice counts as two units); on the original data that variable may not exist yet.
capture program drop _ss_imputation
program define _ss_imputation, rclass
    syntax varlist(numeric min=3), horizons(integer) idcluster(name)
    gettoken depvar varlist : varlist
    gettoken unit varlist : varlist
    gettoken timevar controls : varlist
    capture confirm variable `idcluster'
    if !_rc {
        local unit `idcluster'
    }
    preserve
    * Treated rows in a period without untreated rows have no period effect: not imputable.
    egen _ss_p0 = total(!_ss_treat), by(`timevar')
    drop if _ss_p0 == 0
    * Factor variables need nonnegative integer levels: number the units and periods.
    egen long _ss_u = group(`unit')
    egen long _ss_t = group(`timevar')
    quietly regress `depvar' i._ss_u i._ss_t `controls' if !_ss_treat
    quietly predict double _ss_y0 if _ss_treat, xb
    generate double _ss_tau = `depvar' - _ss_y0 if _ss_treat
    summarize _ss_tau, meanonly
    return scalar att = r(mean)
    return scalar n_treated = r(N)
    forvalues h = 0/`horizons' {
        summarize _ss_tau if _ss_rel == `h', meanonly
        return scalar tau`h' = r(mean)
        return scalar n`h' = r(N)
    }
    restore
    * No estimation results left behind: bootstrap would take the regression's e(sample),
    * the untreated rows, as the data to resample.
    ereturn clear
end

local stats "att=r(att)"
forvalues h = 0/`horizons' {
    local stats "`stats' tau`h'=r(tau`h')"
}
_ss_imputation `depvar' `panelvar' `timevar' `controls', horizons(`horizons') idcluster(_ss_unit)
local n_treated = r(n_treated)
forvalues h = 0/`horizons' {
    local n`h' = r(n`h')
}
quietly count if !_ss_treat
local n_untreated = r(N)
tempfile draws
bootstrap `stats', reps(`reps') seed(`seed') cluster(`panelvar') idcluster(_ss_unit) saving(`draws') level(`level') nodots: _ss_imputation `depvar' `panelvar' `timevar' `controls', horizons(`horizons') idcluster(_ss_unit)
local n_reps = e(N_reps)
ss_store_model imputation, title("DiD, imputation estimator (bootstrap SE)") level(`level')
local z = invnormal(1 - (100 - `level') / 200)

* One row per horizon and the overall ATT: estimate, bootstrap SE, normal-based interval.
tempname b se
matrix `b' = e(b)
matrix `se' = e(se)
clear
local rows = `horizons' + 2
set obs `rows'
generate str8 effect = ""
generate double horizon = .
generate double coef = .
generate double se = .
generate double N = .
forvalues r = 1/`rows' {
    replace coef = `b'[1, `r'] in `r'
    replace se = `se'[1, `r'] in `r'
    if `r' == 1 {
        replace effect = "att" in 1
        replace N = `n_treated' in 1
    }
    else {
        local h = `r' - 2
        replace effect = "tau`h'" in `r'
        replace horizon = `h' in `r'
        replace N = `n`h'' in `r'
    }
}
generate double ci_lo = coef - `z' * se
generate double ci_hi = coef + `z' * se
generate double reps = `n_reps'
generate double N_untreated = `n_untreated'
ss_export_table imputation_effects

preserve
keep if !missing(horizon)
twoway (rcap ci_lo ci_hi horizon) (scatter coef horizon), yline(0) xtitle("Periods since adoption") ytitle("Effect on `depvar'") title("Imputation estimates by horizon (`level'% CI)") legend(off)
graph export results/event_study.png, replace
restore

use `draws', clear
ss_export_table replicates
