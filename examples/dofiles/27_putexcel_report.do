* 27_putexcel_report.do
* A results workbook built cell by cell with putexcel, as many projects deliver results to
* co-authors: a descriptive table filled in a loop, regression tables (etable and r(table)),
* returned scalars, number formats and borders, and a sheet kept open until saved.

clear all
set more off
set seed 2718

set obs 600
gen age = 20 + int(45*runiform())
gen female = runiform() < .5
gen educ = 8 + int(10*runiform())
gen region = 1 + int(3*runiform())
gen wage = exp(1.2 + .08*educ + .01*age - .15*female + .05*region + rnormal(0, .4))
gen lwage = ln(wage)
label variable wage "Hourly wage"
label variable age "Age (years)"
label variable educ "Schooling (years)"
label variable female "Female"
label define region 1 "North" 2 "Centre" 3 "South"
label values region region

* --- Sheet 1: descriptive statistics, one row per variable
putexcel set "wage_report.xlsx", sheet("Descriptives") replace
putexcel A1 = "Variable" B1 = "N" C1 = "Mean" D1 = "SD" E1 = "Min" F1 = "Max", ///
    bold border(bottom) hcenter
local row = 2
foreach v of varlist wage age educ female {
    quietly summarize `v'
    local lab : variable label `v'
    putexcel A`row' = "`lab'" B`row' = r(N) C`row' = r(mean) D`row' = r(sd) ///
        E`row' = r(min) F`row' = r(max)
    putexcel C`row':F`row', nformat(number_d2)
    local ++row
}
putexcel A`row' = "Source: simulated data, `c(current_date)'", italic

* --- Sheet 2: regressions
putexcel set "wage_report.xlsx", sheet("Regressions") modify
regress lwage educ age female i.region
matrix T = r(table)'
putexcel A1 = "Table 2. Log hourly wage", bold font(Calibri, 13)
putexcel A3 = etable
local below = r(tbl1_lr_row) + 2
putexcel A`below' = "Observations" B`below' = e(N)
local below = `below' + 1
putexcel A`below' = "R-squared" B`below' = e(r2), nformat("0.000")

regress lwage educ age female, vce(robust)
putexcel H3 = etable
putexcel H1 = "Robust standard errors", italic

* --- Sheet 3: the coefficient matrix and every e() scalar, kept open until saved
putexcel set "wage_report.xlsx", sheet("Details") modify open
putexcel A1 = matrix(T), names nformat("0.0000")
putexcel A20 = escalarnames B20 = escalars
putexcel A1:J1, bold border(bottom, thin, gray)
putexcel save
putexcel describe
