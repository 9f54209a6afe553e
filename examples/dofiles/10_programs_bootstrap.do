* 10_programs_bootstrap.do
* A small rclass program, a bootstrap of a ratio of means, and a Monte Carlo
* check of an estimator's coverage with simulate.

clear all
set more off
set seed 777

capture program drop ratio_means
program define ratio_means, rclass
    syntax varlist(min=2 max=2 numeric) [if] [in]
    marksample touse
    tokenize `varlist'
    quietly summarize `1' if `touse'
    local m1 = r(mean)
    quietly summarize `2' if `touse'
    return scalar ratio = `m1'/r(mean)
    return scalar N = r(N)
end

set obs 400
gen costs = exp(rnormal(3, .5))
gen revenue = costs*(1.2 + .3*rnormal())
ratio_means revenue costs
display "ratio of means: " %6.4f r(ratio) " on " r(N) " obs"

bootstrap ratio = r(ratio), reps(200) seed(99) nodots: ratio_means revenue costs
estat bootstrap, percentile
matrix ci = e(ci_percentile)
display "95% percentile CI: [" %6.4f ci[1,1] ", " %6.4f ci[2,1] "]"

* Monte Carlo: coverage of the OLS confidence interval with skewed errors
capture program drop olssim
program define olssim, rclass
    args nobs
    drop _all
    set obs `nobs'
    gen x = rnormal()
    gen u = rchi2(2) - 2
    gen y = 1 + 2*x + u
    regress y x
    return scalar b = _b[x]
    return scalar se = _se[x]
    return scalar cover = abs(_b[x] - 2) < invttail(e(df_r), .025)*_se[x]
end

simulate b = r(b) se = r(se) cover = r(cover), reps(300) seed(12): olssim 50
summarize b se cover
display "coverage of the nominal 95% interval: " %5.3f r(mean)

* permutation test of a difference in means
clear
set obs 60
gen byte g = _n > 30
gen y = rnormal() + .6*g
permute g diff = (r(mu_2) - r(mu_1)), reps(500) seed(5) nodots: ttest y, by(g)
