* 26_results_in_macros.do
* Moving results around with macros: r() and e() inside quotes, levelsof loops,
* extended macro functions, and a results dataset built with postfile.

clear all
set more off
set seed 13579

set obs 1000
gen byte sector = 1 + floor(4*runiform())
gen x = rnormal()
gen y = 2 + (1 + .25*sector)*x + rnormal()
label define sectl 1 "Agriculture" 2 "Industry" 3 "Trade" 4 "Finance"
label values sector sectl

* summary statistics reused in conditions and text
summarize y, detail
replace y = `r(p1)' if y < `r(p1)'
replace y = `r(p99)' if y > `r(p99)'
display "after winsorising: min `r(min)' (old), p1 = `r(p1)'"
gen byte top_quart = y > `r(p75)'
tab top_quart

* one regression per sector, collected with postfile
tempname memhold
tempfile slopes
postfile `memhold' str12 sector_name slope se nobs using `slopes'
levelsof sector, local(sectors)
foreach s of local sectors {
    local lbl : label (sector) `s'
    quietly regress y x if sector == `s'
    post `memhold' ("`lbl'") (_b[x]) (_se[x]) (e(N))
    display "`lbl': slope " %5.3f _b[x] " on `e(N)' observations, R2 = " %5.3f e(r2)
}
postclose `memhold'

* the full model and pieces of e()
regress y c.x##i.sector
local depvar "`e(depvar)'"
local nobs = e(N)
local cmd "`e(cmd)'"
display "`cmd' of `depvar' on `nobs' observations; F = `e(F)'"
local names : colnames e(b)
local k : word count `names'
display "`k' coefficients: `names'"
matrix b = e(b)
display "slope in Agriculture: " b[1, 1]

use `slopes', clear
list, clean
gen lo = slope - 1.96*se
gen hi = slope + 1.96*se
format slope se lo hi %6.3f
list sector_name slope lo hi, clean noobs
