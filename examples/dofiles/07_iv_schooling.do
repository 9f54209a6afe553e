* 07_iv_schooling.do
* Returns to schooling with distance to college as the instrument (Card-style),
* OLS vs 2SLS, first-stage diagnostics, and clustered errors by local market.

clear all
set more off
set seed 1995

set obs 3000
gen market = 1 + floor(60*runiform())
gen nearc4 = runiform() < .65
gen ability = rnormal()
gen black = runiform() < .23
gen south = runiform() < .4
gen exper = 5 + floor(12*runiform())
gen expersq = exper^2/100
gen educ = round(12 + .9*nearc4 + .8*ability - .5*black + rnormal(0, 1.5))
gen lwage = 5 + .09*educ + .2*ability + .04*exper - .1*expersq - .15*black ///
    - .1*south + rnormal(0, .35)

label variable lwage  "log weekly wage"
label variable educ   "Years of schooling"
label variable nearc4 "Grew up near a 4-year college"

global X "exper expersq black south"

* OLS is biased upward by ability
regress lwage educ $X, robust
estimates store ols

* reduced form and first stage
regress lwage nearc4 $X, robust
estimates store rf
regress educ nearc4 $X, robust
estimates store fs
test nearc4
local F1 = r(F)
display "first-stage F on the excluded instrument: " %6.2f `F1'

* 2SLS
ivregress 2sls lwage (educ = nearc4) $X, robust first
estimates store iv
estat firststage
estat endogenous

* Wald estimate by hand: reduced form over first stage
estimates restore rf
scalar pi_rf = _b[nearc4]
estimates restore fs
scalar pi_fs = _b[nearc4]
display "indirect least squares: " %6.4f pi_rf/pi_fs

* clustered by local labour market, small-sample statistics
ivregress 2sls lwage (educ = nearc4) $X, vce(cluster market) small
display "clusters: " e(N_clust)

estimates table ols iv, b(%7.4f) se(%7.4f) keep(educ $X) stats(N r2)
