* 01_wage_cleaning.do
* Cleaning a simulated labour-force extract before the wage regressions:
* recode survey missing codes, label everything, build the analysis variables.

version 17
clear all
set more off
capture log close
set seed 20240117

* ---------------------------------------------------------------------------
* 1. Simulate the raw extract (stands in for the survey file)
* ---------------------------------------------------------------------------
set obs 2000
gen long pid = 100000 + _n
gen byte female = runiform() < .48
gen age = 18 + floor(47*runiform())
gen educ = 8 + floor(9*runiform())
replace educ = 99 if runiform() < .02            // "don't know"
gen byte region = 1 + floor(4*runiform())
gen byte union = runiform() < .18
gen hours = round(20 + 25*runiform())
replace hours = -9 if runiform() < .03            // refused
gen double wage = exp(1.2 + .07*min(educ, 16) + .02*age - .0002*age^2 ///
    - .15*female + .1*union + rnormal(0, .45))
replace wage = . if runiform() < .05

* ---------------------------------------------------------------------------
* 2. Missing-value codes
* ---------------------------------------------------------------------------
replace educ = . if educ == 99
replace hours = . if hours < 0
count if missing(educ)
display "education missing for " r(N) " respondents"

* ---------------------------------------------------------------------------
* 3. Labels
* ---------------------------------------------------------------------------
label variable pid    "Person identifier"
label variable female "Female"
label variable age    "Age in years"
label variable educ   "Years of schooling"
label variable region "Census region"
label variable union  "Union member"
label variable hours  "Usual weekly hours"
label variable wage   "Hourly wage (USD)"

label define regionlbl 1 "Northeast" 2 "Midwest" 3 "South" 4 "West"
label values region regionlbl
label define yesno 0 "No" 1 "Yes"
label values female union yesno

* ---------------------------------------------------------------------------
* 4. Analysis variables
* ---------------------------------------------------------------------------
gen lnwage = ln(wage)
label variable lnwage "Log hourly wage"
gen exper = age - educ - 6
replace exper = 0 if exper < 0 & !missing(exper)
gen exper2 = exper^2
label variable exper "Potential experience"

recode educ (min/11 = 1 "Less than HS") (12 = 2 "High school") ///
    (13/15 = 3 "Some college") (16/max = 4 "College+"), gen(educcat)
label variable educcat "Education category"

egen agegrp = cut(age), at(18 25 35 45 55 65) label
tabulate educcat female, row nofreq
tabulate agegrp

* weekly earnings, trimmed at the 1st and 99th percentiles
gen earn = wage*hours
quietly summarize earn, detail
replace earn = r(p1) if earn < r(p1) & !missing(earn)
replace earn = r(p99) if earn > r(p99) & !missing(earn)
summarize wage lnwage earn hours exper

* ---------------------------------------------------------------------------
* 5. Checks and save
* ---------------------------------------------------------------------------
isid pid
assert inrange(age, 18, 64)
assert exper >= 0 if !missing(exper)
compress
order pid female age educ educcat exper wage lnwage
describe, short
save wages_clean, replace
