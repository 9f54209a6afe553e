* 03_panel_fe_re.do
* A worker panel: pooled OLS, fixed effects, random effects and a Hausman test.
* Schooling does not vary within a worker, so only RE (and OLS) identify it.

clear all
set more off
set seed 98765

set obs 400
gen id = _n
gen educ = 10 + floor(7*runiform())
gen black = runiform() < .12
gen a_i = rnormal(0, .3)                 // unobserved ability
expand 7
bysort id: gen year = 1980 + _n
gen exper = year - 1980 + floor(5*runiform())
gen expersq = exper^2
gen union = runiform() < .25 + .1*(a_i > 0)
gen married = runiform() < .5
gen lwage = .5 + .07*educ - .1*black + .06*exper - .001*expersq ///
    + .1*union + .05*married + a_i + rnormal(0, .25)

label variable lwage   "log(wage)"
label variable educ    "Years of schooling"
label variable black   "Black"
label variable exper   "Experience"
label variable expersq "Experience squared"
label variable union   "Union member"
label variable married "Married"

xtset id year
xtdescribe
xtsum lwage union married

* pooled OLS with clustered errors
regress lwage educ black exper expersq union married, vce(cluster id)
estimates store pooled

* within estimator: educ and black are absorbed by the worker effects
xtreg lwage educ black exper expersq union married, fe
estimates store fe
display "sigma_u = " %6.4f e(sigma_u) "   sigma_e = " %6.4f e(sigma_e) "   rho = " %5.3f e(rho)

* random effects keeps the time-invariant regressors
xtreg lwage educ black exper expersq union married, re
estimates store re
display "theta = " %6.4f e(theta)
display "RE return to schooling: " %6.4f _b[educ]

hausman fe re

* robust versions for the table
quietly xtreg lwage educ black exper expersq union married, fe vce(robust)
estimates store fe_rob
quietly xtreg lwage educ black exper expersq union married, re vce(robust)
estimates store re_rob

estimates table pooled fe re fe_rob re_rob, b(%7.4f) se(%7.4f) stats(N N_g r2_w)

* first differences by hand, with the time-series operator on the outcome
regress D.lwage D.exper D.expersq D.union D.married, noconstant vce(cluster id)
