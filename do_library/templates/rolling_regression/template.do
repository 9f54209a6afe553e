* Rolling regressions of `depvar' on `indepvars' over windows of `window' observations.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars' `timevars')
keep if _ss_miss == 0
if _N < `window' {
    display as error "only " _N " complete observations: fewer than the window of `window'"
    exit 2001
}
sort `timevars'
generate long _ss_i = _n
foreach v in `indepvars' _cons {
    generate double b_`v' = .
    generate double se_`v' = .
}
generate double r2 = .
generate double n = .
forvalues s = `window'/`=_N' {
    regress `depvar' `indepvars' if inrange(_ss_i, `s' - `window' + 1, `s')
    foreach v in `indepvars' _cons {
        replace b_`v' = _b[`v'] in `s'
        replace se_`v' = _se[`v'] in `s'
    }
    replace r2 = e(r2) in `s'
    replace n = e(N) in `s'
}
keep if !missing(n)
keep `timevars' n r2 b_* se_*
order `timevars' n r2
ss_export_table rolling
