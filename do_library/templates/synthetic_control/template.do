* Synthetic control (Abadie, Diamond and Hainmueller 2010) with the synth command: the
* treated unit's outcome against a weighted mix of the other units (weights >= 0, summing to
* one) chosen to match its predictors before the treatment. Predictor weights: synth's
* regression-based V, or with nested the V that minimises the pre-treatment MSPE.
* synth is an SSC package: the embedded engine provides it natively; a licensed Stata without it
* stops here with a message saying what to install, before any work is done.
capture which synth
if _rc {
    display as error "this template needs the SSC package synth: ssc install synth"
    exit 199
}
use "`main_data'", clear
keep `panelvar' `timevar' `depvar' `predictors'
tsset `panelvar' `timevar'

* The outcome itself as predictors: in three pre-treatment years (first, middle, last), in
* every pre-treatment year, or its pre-treatment mean.
quietly levelsof `timevar' if `timevar' < `treatment_period', local(pre)
local npre : word count `pre'
local first : word 1 of `pre'
local middle : word `=ceil(`npre' / 2)' of `pre'
local last : word `npre' of `pre'
local lags ""
if "`outcome_predictors'" == "three" {
    local lags "`depvar'(`first') `depvar'(`middle') `depvar'(`last')"
}
if "`outcome_predictors'" == "every_year" {
    foreach t of local pre {
        local lags "`lags' `depvar'(`t')"
    }
}
if "`outcome_predictors'" == "mean" {
    local lags "`depvar'"
}
local method ""
if `nested' {
    local method "nested"
}
synth `depvar' `predictors' `lags', trunit(`treated_unit') trperiod(`treatment_period') `method'

tempname W X V Yt Ys R
matrix `W' = e(W_weights)
matrix `X' = e(X_balance)
matrix `V' = e(V_matrix)
matrix `Yt' = e(Y_treated)
matrix `Ys' = e(Y_synthetic)
matrix `R' = e(RMSPE)
local rmspe = `R'[1, 1]
local names : rownames `X'
local times : rownames `Yt'

* Unit weights: every donor, largest first.
clear
svmat double `W', names(col)
rename _Co_Number `panelvar'
rename _W_Weight weight
gsort -weight `panelvar'
ss_export_table unit_weights
count if weight > 0
local n_donors_used = r(N)
local n_donors = _N

* Predictor balance: the treated unit, its synthetic control, and each predictor's weight.
clear
svmat double `X', names(col)
rename Treated treated
rename Synthetic synthetic
generate str40 predictor = ""
generate double v_weight = .
forvalues i = 1/`=_N' {
    replace predictor = "`: word `i' of `names''" in `i'
    replace v_weight = `V'[`i', `i'] in `i'
}
order predictor treated synthetic v_weight
ss_export_table predictor_balance

* Outcome paths and the gap (treated minus synthetic) in every period.
clear
svmat double `Yt', names(treated)
svmat double `Ys', names(synthetic)
rename treated1 treated
rename synthetic1 synthetic
generate double `timevar' = .
forvalues i = 1/`=_N' {
    replace `timevar' = `: word `i' of `times'' in `i'
}
generate double gap = treated - synthetic
generate byte post = `timevar' >= `treatment_period'
order `timevar' treated synthetic gap post
ss_export_table synthetic_path

* Fit and effect: pre- and post-treatment RMSPE, their ratio, and the average gap after.
generate double gap2 = gap^2
summarize gap2 if !post, meanonly
local pre_rmspe = sqrt(r(mean))
local n_pre = r(N)
summarize gap2 if post, meanonly
local post_rmspe = sqrt(r(mean))
local n_post = r(N)
summarize gap if post, meanonly
local att = r(mean)

twoway (line treated `timevar') (line synthetic `timevar', lpattern(dash)), xline(`treatment_period', lpattern(shortdash)) ytitle("`depvar'") xtitle("`timevar'") legend(order(1 "Treated unit" 2 "Synthetic control")) title("Treated unit and synthetic control")
graph export results/synth_path.png, replace
twoway line gap `timevar', xline(`treatment_period', lpattern(shortdash)) yline(0) ytitle("Gap in `depvar' (treated - synthetic)") xtitle("`timevar'") title("Gap between the treated unit and its synthetic control")
graph export results/synth_gap.png, replace

clear
set obs 1
generate double treated_unit = `treated_unit'
generate double treatment_period = `treatment_period'
generate double rmspe = `rmspe'
generate double pre_rmspe = `pre_rmspe'
generate double post_rmspe = `post_rmspe'
generate double rmspe_ratio = post_rmspe / pre_rmspe
generate double att = `att'
generate double n_pre = `n_pre'
generate double n_post = `n_post'
generate double n_donors = `n_donors'
generate double n_donors_used = `n_donors_used'
ss_export_table fit_summary
