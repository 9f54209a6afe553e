* 12_crosstabs.do
* Survey crosstabs: frequencies, two-way tables with tests, dummies from
* tabulate, and group summaries with by.

clear all
set more off
set seed 424242

set obs 1200
gen byte region = 1 + floor(5*runiform())
gen byte agecat = 1 + floor(4*runiform())
gen byte vote = cond(runiform() < .3 + .05*agecat, 1, cond(runiform() < .5, 2, 3))
gen satisf = 1 + floor(5*runiform())
gen weight = .5 + runiform()

label define regl 1 "North" 2 "East" 3 "South" 4 "West" 5 "Capital"
label define agel 1 "18-29" 2 "30-44" 3 "45-64" 4 "65+"
label define votel 1 "Party A" 2 "Party B" 3 "Abstain"
label values region regl
label values agecat agel
label values vote votel
label variable satisf "Satisfaction with democracy (1-5)"

tabulate vote
tabulate vote, missing sort
tabulate agecat vote, row chi2
tabulate region vote [aweight = weight], column nofreq
tab1 region agecat

* dummies for each region
tabulate region, generate(reg_)
describe reg_*
summarize reg_1-reg_5

* mean satisfaction by age group, with counts
bysort agecat: summarize satisf
tabulate agecat, summarize(satisf)
table agecat vote, statistic(mean satisf)

* one-way ANOVA and a pairwise comparison
oneway satisf agecat, tabulate
ttest satisf if inlist(agecat, 1, 4), by(agecat)
