* 18_xi_dummies.do
* Older-style categorical regressors: xi with char-defined omitted categories,
* dummies from tabulate, and the factor-variable equivalents for comparison.

clear all
set more off
set seed 1999

set obs 1500
gen byte occ = 1 + floor(6*runiform())
gen byte state = 1 + floor(8*runiform())
gen exper = floor(25*runiform())
gen lnw = 2 + .1*occ - .05*(state == 3) + .02*exper + rnormal(0, .3)
label define occl 1 "Laborer" 2 "Operative" 3 "Craft" 4 "Sales" 5 "Clerical" 6 "Manager"
label values occ occl

* xi with the default (first) category omitted
xi: regress lnw i.occ exper
estimates store xi_default

* make "Manager" the omitted category
char occ[omit] 6
xi: regress lnw i.occ exper
estimates store xi_manager

* interactions the old way
* (xi names the products _IoccXexper_#: max(3, 6 - digits of the level codes) letters of exper)
xi i.occ*exper
describe _I*
regress lnw _Iocc_* _IoccXexper_* exper

* the same models with factor variables
regress lnw i.occ exper
regress lnw ib6.occ exper
regress lnw i.occ##c.exper
testparm i.occ#c.exper

* dummies built by hand from tabulate
tabulate state, generate(st)
regress lnw st2-st8 exper
testparm st*

* areg with the state effects absorbed
areg lnw i.occ exper, a(state)
