* 04_did_event_study.do
* Staggered-free difference-in-differences on a simulated county panel:
* the 2x2 regression, two-way fixed effects with reghdfe, and an event study.

clear all
set more off
set seed 31337

* ssc install reghdfe, replace
* ssc install ftools, replace
* ssc install coefplot, replace

set obs 300
gen county = _n
gen state  = ceil(county/10)
gen byte treated = state <= 12
gen size = exp(rnormal(10, 1))
expand 12
bysort county: gen year = 2006 + _n
gen byte post = year >= 2012
gen relyear = year - 2012
gen county_fe = rnormal()
bysort county (year): replace county_fe = county_fe[1]
gen y = 2 + .5*county_fe + .05*(year - 2006) + .3*treated*post ///
    + .05*treated*post*relyear + rnormal(0, .5)
label variable y "Employment rate (pct points)"

* the canonical 2x2
gen byte treat_post = treated*post
regress y treated post treat_post, vce(cluster state)
display "DiD estimate: " %6.3f _b[treat_post] " (se " %6.3f _se[treat_post] ")"

* group means, the same number from the four cells
preserve
collapse (mean) y, by(treated post)
list, clean noobs
restore

* two-way fixed effects
reghdfe y treat_post, absorb(county year) vce(cluster state)
estimates store twfe
areg y treat_post i.year, absorb(county) vce(cluster state)

* event study: leads and lags, omitting the year before treatment
gen rel = relyear + 6                    // shift to nonnegative values
replace rel = 5 if treated == 0          // never-treated sit in the base category
reghdfe y ib5.rel, absorb(county year) vce(cluster state)
estimates store es

coefplot es, keep(*.rel) vertical yline(0) xline(5.5, lpattern(dash)) ///
    title("Event study") xtitle("Years relative to treatment")
graph export event_study.png, replace width(1200)

* placebo: pretend treatment started in 2010, pre-period only
gen byte fake_post = year >= 2010
gen byte treat_fake = treated*fake_post
regress y treated fake_post treat_fake if year < 2012, vce(cluster state)
