* 11_timeseries.do
* Quarterly macro series: dates, lags and differences, a distributed-lag model,
* Newey-West errors and a simple AR(1) forecast.

clear all
set more off
set seed 1960

set obs 160
gen t = tq(1980q1) + _n - 1
format t %tq
tsset t

gen e = rnormal(0, .5)
gen infl = 2 in 1
replace infl = .5 + .7*L.infl + e in 2/l
gen unemp = 6 + rnormal(0, .8)
replace unemp = 1.5 + .75*L.unemp - .1*L.infl + rnormal(0, .3) in 2/l
gen gdp = 100 in 1
replace gdp = L.gdp*exp(.005 + rnormal(0, .01)) in 2/l
gen lgdp = ln(gdp)
label variable infl  "Inflation (pct)"
label variable unemp "Unemployment rate (pct)"

gen year = yofd(dofq(t))
gen qtr = quarter(dofq(t))
list t year qtr infl in 1/5

* growth and changes with time-series operators
gen g_gdp = 400*D.lgdp
summarize infl unemp g_gdp

* Phillips curve in changes: the dependent variable carries an operator
regress D.infl unemp L.unemp
regress D.infl L(1/4).D.infl L.unemp
test L.D.infl L2.D.infl L3.D.infl L4.D.infl

* Okun's law with Newey-West standard errors
newey D.unemp g_gdp, lag(4)

* AR(1) by OLS and a one-step forecast
regress infl L.infl
predict infl_hat
tsappend, add(4)
replace infl_hat = _b[_cons] + _b[L.infl]*L.infl if missing(infl_hat)
list t infl infl_hat in -6/l

* annual averages
preserve
collapse (mean) infl unemp, by(year)
tsset year
regress infl L.infl
restore

dfuller infl, lags(2)
