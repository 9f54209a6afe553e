* Fuzzy RD: effect of `treatment' on `depvar', instrumented by `running' >= `cutoff', within `bandwidth'.
use "`main_data'", clear
keep if !missing(`depvar') & !missing(`treatment') & !missing(`running')
generate double distance = `running' - `cutoff'
generate byte above = (distance >= 0)
generate double above_distance = above * distance

* Binned means of the outcome and of take-up over the whole range, for the RD plots.
preserve
generate double bin = floor(distance / (`bandwidth' / 10))
collapse (mean) running_mean = `running' outcome_mean = `depvar' treatment_mean = `treatment' (count) n = `depvar', by(bin above)
ss_export_table rd_bins
twoway (scatter outcome_mean running_mean if above == 0) (scatter outcome_mean running_mean if above == 1), xline(`cutoff') legend(off) ytitle("Mean of `depvar'") xtitle("`running'") title("Outcome around the cutoff")
graph export results/rd_outcome.png, replace
twoway (scatter treatment_mean running_mean if above == 0) (scatter treatment_mean running_mean if above == 1), xline(`cutoff') legend(off) ytitle("Share with `treatment'") xtitle("`running'") title("Take-up around the cutoff")
graph export results/rd_takeup.png, replace
restore

* Local linear fits on the window (uniform kernel): first stage, reduced form and 2SLS.
keep if abs(distance) <= `bandwidth'
count if above == 0
local n_left = r(N)
count if above == 1
local n_right = r(N)
regress `treatment' above distance above_distance, vce(robust)
ss_store_model first_stage, title("First stage: jump in `treatment'")
local fs = _b[above]
local fs_se = _se[above]
regress `depvar' above distance above_distance, vce(robust)
ss_store_model reduced_form, title("Reduced form: jump in `depvar'")
local rf = _b[above]
local rf_se = _se[above]
ivregress 2sls `depvar' distance above_distance (`treatment' = above), vce(robust)
ss_store_model fuzzy_rd, title("Fuzzy RD (2SLS, h = `bandwidth')")
local b = _b[`treatment']
local se = _se[`treatment']
local z = invnormal(1 - (100 - `level') / 200)

clear
set obs 1
generate double cutoff = `cutoff'
generate double bandwidth = `bandwidth'
generate double n_left = `n_left'
generate double n_right = `n_right'
generate double first_stage = `fs'
generate double first_stage_se = `fs_se'
generate double first_stage_F = (`fs' / `fs_se')^2
generate double reduced_form = `rf'
generate double reduced_form_se = `rf_se'
generate double estimate = `b'
generate double se = `se'
generate double z = estimate / se
generate double p = 2 * normal(-abs(z))
generate double ci_lo = estimate - `z' * se
generate double ci_hi = estimate + `z' * se
ss_export_table rd_estimate
