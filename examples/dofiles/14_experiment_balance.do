* 14_experiment_balance.do
* A randomized evaluation: balance checks, the treatment effect with and without
* covariates and strata fixed effects, heterogeneity, and matrices of results.

clear all
set more off
set seed 11235

set obs 1000
gen strata = 1 + floor(10*runiform())
gen age = round(35 + 8*rnormal())
gen female = runiform() < .5
gen baseline = rnormal(50, 10)
bysort strata: gen u = runiform()
bysort strata (u): gen byte treat = _n <= _N/2
gen endline = baseline + 3*treat + 1.5*treat*female + rnormal(0, 8)
label variable treat "Assigned to treatment"
label variable endline "Endline score"

* balance
local covs age female baseline
foreach v of local covs {
    quietly regress `v' treat, vce(robust)
    display %-10s "`v'" %8.3f _b[treat] %8.3f _se[treat] "   p = " %5.3f 2*ttail(e(df_r), abs(_b[treat]/_se[treat]))
}
estpost ttest age female baseline, by(treat)
esttab using balance.csv, cells("mu_1 mu_2 b p") replace noobs

* treatment effects
eststo clear
eststo: regress endline treat, vce(robust)
eststo: regress endline treat `covs', vce(robust)
eststo: areg endline treat `covs', absorb(strata) vce(robust)
esttab, se keep(treat) stats(N r2) star(* .1 ** .05 *** .01)

* heterogeneity by gender
regress endline i.treat##i.female baseline, vce(robust)
lincom 1.treat + 1.treat#1.female
margins female, dydx(treat)

* a matrix of effects by stratum
matrix E = J(10, 3, .)
forvalues s = 1/10 {
    quietly regress endline treat baseline if strata == `s'
    matrix E[`s', 1] = _b[treat]
    matrix E[`s', 2] = _se[treat]
    matrix E[`s', 3] = e(N)
}
matrix colnames E = effect se N
matlist E, format(%8.3f)
svmat E, names(col)
summarize effect
