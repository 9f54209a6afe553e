* 19_defensive_programming.do
* Habits of a careful do-file: capture with _rc checks, confirm, assert,
* preserve/restore around destructive steps, tempvars and tempnames.

clear all
set more off
set seed 4321

set obs 500
gen id = _n
gen x = rnormal()
gen y = 1 + 2*x + rnormal()
gen grp = 1 + mod(_n, 5)

* does a variable exist?
capture confirm variable z
if _rc != 0 {
    display "z not found (rc = " _rc "), creating it"
    gen z = x^2
}
capture confirm numeric variable grp
assert _rc == 0

* an optional step that may fail without stopping the run
capture noisily regress y nosuchvar
if _rc == 111 {
    display as error "model skipped: variable missing"
}

* temporary variables and names
tempvar resid fitted
tempname b0 b1 results
quietly regress y x
predict `fitted', xb
predict `resid', residuals
scalar `b0' = _b[_cons]
scalar `b1' = _b[x]
matrix `results' = (`b0', `b1', e(N))
matrix list `results'
quietly summarize `resid'
assert abs(r(mean)) < 1e-6
display "slope " %6.3f `b1' ", intercept " %6.3f `b0'

* destructive work inside preserve
preserve
    keep if grp == 1
    collapse (mean) y x, by(grp)
    list
restore
count
assert r(N) == 500

* quietly blocks and noisily inside them
quietly {
    summarize y
    local ymean = r(mean)
    noisily display "mean of y is " %6.3f `ymean'
    tabulate grp
}

* loops that skip failures
foreach v in x y z w {
    capture confirm variable `v'
    if _rc {
        display "`v' is missing, skipped"
        continue
    }
    quietly summarize `v'
    display "`v': mean " %7.3f r(mean) ", sd " %7.3f r(sd)
}

* scalars and macros of results
quietly regress y x z
local n = e(N)
local r2 : display %5.3f e(r2)
display "N = `n', R2 = `r2'"
scalar list
macro list _n _r2
