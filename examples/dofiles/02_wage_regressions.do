* 02_wage_regressions.do
* Mincer wage equations: a loop over specifications, stored estimates, a
* comparison table and a few numbers pulled out of e() for the text.

clear all
set more off
set seed 4711

set obs 1500
gen female = runiform() < .5
gen educ   = 9 + floor(8*runiform())
gen exper  = floor(30*runiform())
gen exper2 = exper^2
gen union  = runiform() < .2
gen region = 1 + floor(4*runiform())
gen lnwage = 1 + .08*educ + .03*exper - .0005*exper2 - .12*female ///
    + .08*union + .05*region + rnormal(0, .4)
label variable educ   "Years of schooling"
label variable exper  "Experience"
label variable exper2 "Experience squared"
label variable female "Female"
label variable union  "Union member"

local controls1 ""
local controls2 "exper exper2"
local controls3 "exper exper2 female union"
local controls4 "exper exper2 female union i.region"

forvalues s = 1/4 {
    quietly regress lnwage educ `controls`s'', vce(robust)
    estimates store m`s'
    local b`s'  = _b[educ]
    local se`s' = _se[educ]
    display "spec `s': return to schooling = " %6.4f `b`s'' " (" %6.4f `se`s'' "), N = " e(N)
}

estimates table m1 m2 m3 m4, b(%9.4f) se(%9.4f) stats(N r2) keep(educ exper female union)

* the preferred specification, shown in full
regress lnwage educ exper exper2 female union i.region, vce(robust)
display "R-squared of the full model: " %5.3f e(r2)
local pct = 100*(exp(_b[female]) - 1)
display "women earn " %4.1f abs(`pct') " percent less, other things equal"

test female union
test 2.region = 3.region
lincom educ + 10*exper

* publication table
capture which esttab
if _rc {
    display "esttab not installed"
}
esttab m1 m2 m3 m4 using wage_table.csv, replace se r2 label ///
    star(* 0.10 ** 0.05 *** 0.01) keep(educ exper exper2 female union) ///
    mtitles("Bivariate" "Experience" "Demographics" "Region FE")
