* 06_collapse_graphs.do
* Descriptive figures for a report: trends by group, distributions, and a
* scatter with a fitted line. Every graph is exported for the appendix.

clear all
set more off
set seed 2023
set scheme s2color

set obs 3000
gen year = 2000 + floor(21*runiform())
gen byte group = 1 + (runiform() < .4) + (runiform() < .2)
label define grouplbl 1 "Urban" 2 "Suburban" 3 "Rural"
label values group grouplbl
gen income = 30 + 1.2*(year - 2000) + 8*(group == 1) - 5*(group == 3) + rnormal(0, 10)
gen spending = 5 + .6*income + rnormal(0, 6)
label variable income "Household income (000s)"
label variable spending "Household spending (000s)"

* distributions
histogram income, percent normal title("Household income")
graph export hist_income.png, replace

kdensity income if group == 1, addplot(kdensity income if group == 3) ///
    legend(order(1 "Urban" 2 "Rural")) title("Income by area")
graph export kdens_income.png, replace

graph box income, over(group) title("Income by area")
graph export box_income.png, replace

* scatter with linear fit
twoway (scatter spending income, msize(tiny) mcolor(%30)) ///
    (lfit spending income), legend(off) ytitle("Spending") xtitle("Income")
graph export scatter_fit.png, replace

* trends
preserve
collapse (mean) income spending (sd) sd_inc = income (count) n = income, by(year group)
gen lo = income - 1.96*sd_inc/sqrt(n)
gen hi = income + 1.96*sd_inc/sqrt(n)
twoway (rarea lo hi year if group == 1, color(gs13)) ///
       (line income year if group == 1) ///
       (line income year if group == 2) ///
       (line income year if group == 3), ///
    legend(order(2 "Urban" 3 "Suburban" 4 "Rural")) ///
    title("Mean income by year") ytitle("Income (000s)")
graph export trends.png, replace
list year group income in 1/6
restore

graph bar (mean) spending, over(group) title("Mean spending")
graph export bar_spending.png, replace
