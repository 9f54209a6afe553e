* 08_logit_margins.do
* Labour force participation: linear probability, logit and probit, with
* average marginal effects and predicted probabilities by group.

clear all
set more off
set seed 8080

set obs 2500
gen age = 20 + floor(40*runiform())
gen kids = floor(4*runiform()^2 * 3)
gen educ = 10 + floor(8*runiform())
gen nwifeinc = exp(rnormal(3, .6))
gen byte urban = runiform() < .6
gen xb = -1 + .15*educ - .04*(age - 40) - .5*kids - .01*nwifeinc + .2*urban
gen byte inlf = runiform() < invlogit(xb)
label variable inlf "In the labour force"
label variable kids "Children under 6"
label define inlfl 0 "Out" 1 "In"
label values inlf inlfl

tabulate inlf
tabulate kids inlf, row

* linear probability model
regress inlf age educ kids nwifeinc urban, vce(robust)
predict p_lpm
count if p_lpm < 0 | p_lpm > 1
display r(N) " fitted probabilities outside [0,1]"

* logit with odds ratios
logit inlf age educ kids nwifeinc urban
estimates store logit
logit, or
margins, dydx(*)
margins, at(kids = (0 1 2 3))
predict p_logit, pr

* probit
probit inlf age educ kids nwifeinc urban, vce(robust)
estimates store probit
margins, dydx(educ kids) atmeans
predict p_probit

correlate p_lpm p_logit p_probit
estat classification
lroc, nograph

* compare the fit
estimates stats logit probit
estimates table logit probit, b(%8.4f) se stats(N ll r2_p)
