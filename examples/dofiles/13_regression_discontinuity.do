* 13_regression_discontinuity.do
* Sharp RD on a test-score cutoff for a scholarship: binned scatter, local
* linear regressions with a triangular kernel at several bandwidths, and rdrobust.

clear all
set more off
set seed 6006

set obs 4000
gen score = 100*runiform() - 50          // running variable centred at the cutoff
gen byte above = score >= 0
gen outcome = 20 + .15*score + 4*above + .02*above*score + rnormal(0, 5)
label variable score "Entrance score (centred)"
label variable outcome "Earnings at 30 (000s)"

* binned means for the picture
egen bin = cut(score), at(-50(2.5)50)
bysort bin: egen ybin = mean(outcome)
bysort bin: gen first = _n == 1
twoway (scatter ybin bin if first, msymbol(O)) ///
    (lfit outcome score if score < 0) (lfit outcome score if score >= 0), ///
    xline(0) legend(off) ytitle("Earnings") xtitle("Score")
graph export rd_plot.png, replace

* local linear regressions, triangular kernel, several bandwidths
gen score_above = score*above
foreach h of numlist 5 10 20 {
    capture drop kw
    gen kw = max(0, 1 - abs(score)/`h')
    quietly regress outcome above score score_above [aweight = kw] if abs(score) < `h', vce(robust)
    display "h = " %4.1f `h' ": jump = " %6.3f _b[above] " (se " %5.3f _se[above] ")  N = " e(N)
    estimates store rd_h`h'
}
estimates table rd_h5 rd_h10 rd_h20, keep(above) b(%7.3f) se(%7.3f) stats(N)

* global polynomial, as a robustness check
regress outcome i.above##c.(score) c.score#c.score, vce(robust)

* covariate smoothness: density of the running variable around the cutoff
count if inrange(score, -2, 0)
local nbelow = r(N)
count if inrange(score, 0, 2)
display "obs just below: `nbelow', just above: " r(N)

* data-driven bandwidth
rdrobust outcome score, c(0)
rdplot outcome score, c(0) graph_options(title("RD plot"))
