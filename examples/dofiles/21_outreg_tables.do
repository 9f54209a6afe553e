* 21_outreg_tables.do
* Regression tables the way many papers still make them: outreg2 appended
* column by column, and an estout/esttab version with labels.

clear all
set more off
set seed 369

* ssc install outreg2
* ssc install estout

set obs 1000
gen price = exp(rnormal(9, .4))
gen mpg = 15 + 20*runiform()
gen weight = 2000 + 2500*runiform()
gen foreign = runiform() < .3
replace price = price + 1.5*weight - 80*mpg + 1500*foreign
label variable price "Price (USD)"
label variable mpg "Mileage (mpg)"
label variable weight "Weight (lbs)"
label variable foreign "Foreign make"

regress price mpg
outreg2 using results_table, replace excel label ctitle(Model 1)
regress price mpg weight
outreg2 using results_table, append excel label ctitle(Model 2)
regress price mpg weight foreign, robust
outreg2 using results_table, append excel label ctitle(Model 3) addtext(Robust SE, Yes)

eststo clear
eststo m1: quietly regress price mpg
eststo m2: quietly regress price mpg weight
eststo m3: quietly regress price mpg weight foreign, robust
estadd local robust "Yes": m3
esttab m1 m2 m3, b(%9.2f) se(%9.2f) label stats(N r2 robust, labels("Observations" "R-squared" "Robust SE"))
esttab m1 m2 m3 using results_table.rtf, replace b(%9.2f) se(%9.2f) label
esttab m1 m2 m3 using results_table.tex, replace booktabs label ///
    title("Determinants of car prices") nonumbers mtitles("(1)" "(2)" "(3)")
