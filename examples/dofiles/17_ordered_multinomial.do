* 17_ordered_multinomial.do
* Self-rated health (ordered) and occupational choice (unordered).

clear all
set more off
set seed 2718

set obs 3000
gen age = 20 + floor(50*runiform())
gen income = exp(rnormal(10, .6))
gen lninc = ln(income)
gen smoker = runiform() < .25
gen latent = -.03*age + .5*lninc - .6*smoker + logit(runiform())
gen health = 1 + (latent > 2.5) + (latent > 3.5) + (latent > 4.5)
label define hl 1 "Poor" 2 "Fair" 3 "Good" 4 "Excellent"
label values health hl
tabulate health

ologit health age lninc smoker
estimates store ologit
margins, dydx(smoker) predict(outcome(4))
oprobit health age lninc smoker
estimates store oprobit
predict p1 p2 p3 p4, pr
summarize p1-p4

* occupational choice
gen u1 = 0
gen u2 = -1 + .05*age - .8*smoker
gen u3 = -3 + .3*lninc + .02*age
gen e1 = -ln(-ln(runiform()))
gen e2 = -ln(-ln(runiform()))
gen e3 = -ln(-ln(runiform()))
gen occ = 1
replace occ = 2 if u2 + e2 > u1 + e1 & u2 + e2 > u3 + e3
replace occ = 3 if u3 + e3 > u1 + e1 & u3 + e3 > u2 + e2
label define occl 1 "Manual" 2 "Clerical" 3 "Professional"
label values occ occl
tabulate occ

mlogit occ age lninc smoker, baseoutcome(1)
mlogit, rrr
margins, dydx(lninc)
test [Clerical]smoker = [Professional]smoker
