* 22_treatment_effects.do
* Job training and earnings with selection on observables: regression
* adjustment, inverse probability weighting, doubly robust and matching.

clear all
set more off
set seed 1986

set obs 2000
gen age = 20 + floor(30*runiform())
gen educ = 8 + floor(8*runiform())
gen black = runiform() < .3
gen married = runiform() < .4
gen re74 = max(0, rnormal(8, 6))
gen pscore_true = invlogit(-2 + .03*age - .1*educ + 1*black - .5*married - .05*re74)
gen byte train = runiform() < pscore_true
gen re78 = max(0, 2 + .1*age + .5*educ - 1*black + .6*re74 + 1.8*train + rnormal(0, 4))
label variable train "Job training"
label variable re78 "Earnings 1978 (000s)"

* naive comparison
ttest re78, by(train)
regress re78 train age educ black married re74, vce(robust)

* propensity score and overlap
logit train age educ black married re74
predict ps, pr
summarize ps if train == 1
summarize ps if train == 0

teffects ra (re78 age educ black married re74) (train)
teffects ipw (re78) (train age educ black married re74, logit)
tebalance summarize
teffects aipw (re78 age educ black married re74) (train age educ black married re74)
teffects psmatch (re78) (train age educ black married re74), atet
teffects nnmatch (re78 age educ black married re74) (train), nneighbor(3) atet

* IPW by hand for comparison
gen w = cond(train, 1/ps, 1/(1 - ps))
regress re78 train [pweight = w]
