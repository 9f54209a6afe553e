* 16_quantile_tobit_counts.do
* Beyond the conditional mean: quantile regressions across the distribution,
* a tobit for censored hours, and count models for doctor visits.

clear all
set more off
set seed 31415

set obs 2000
gen educ = 8 + floor(10*runiform())
gen female = runiform() < .5
gen age = 25 + floor(35*runiform())
gen lnwage = 1 + .08*educ - .1*female + .01*age + (.2 + .02*educ)*rnormal()

* quantile regressions
foreach q in 10 25 50 75 90 {
    quietly qreg lnwage educ female age, quantile(.`q')
    display "q" `q' ": return to schooling " %6.4f _b[educ]
    estimates store q`q'
}
estimates table q10 q50 q90, keep(educ female) b(%7.4f) se(%7.4f)
qreg lnwage educ female age, quantile(.5) vce(robust)
sqreg lnwage educ female age, quantiles(.25 .5 .75) reps(50)
test [q25]educ = [q75]educ

* hours of work, censored at zero
gen hstar = -400 + 60*educ - 300*female + rnormal(0, 500)
gen hours = max(0, hstar)
count if hours == 0
display r(N) " women and men work zero hours"
regress hours educ female age
tobit hours educ female age, ll(0)
margins, dydx(educ) predict(ystar(0,.))

* doctor visits
gen chronic = runiform() < .3
gen visits = rpoisson(exp(-.5 + .6*chronic + .01*age + .2*female))
summarize visits, detail
poisson visits chronic age female, vce(robust)
estimates store pois
nbreg visits chronic age female
estimates store nb
display "overdispersion alpha = " %6.4f e(alpha)
estimates table pois nb, eform b(%7.4f) se
