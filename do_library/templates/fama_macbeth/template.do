* Fama-MacBeth: `depvar' on `indepvars' in each `timevar', then the time-series averages.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars' `timevar')
keep if _ss_miss == 0
egen byte _ss_first = tag(`timevar')
foreach v of local indepvars {
    generate double b_`v' = .
}
generate double b__cons = .
generate double r2 = .
generate double n = .
levelsof `timevar', local(periods)
foreach t of local periods {
    regress `depvar' `indepvars' if `timevar' == `t'
    foreach v in `indepvars' _cons {
        replace b_`v' = _b[`v'] if _ss_first == 1 & `timevar' == `t'
    }
    replace r2 = e(r2) if _ss_first == 1 & `timevar' == `t'
    replace n = e(N) if _ss_first == 1 & `timevar' == `t'
}
keep if _ss_first == 1
keep `timevar' b_* r2 n
order `timevar' n r2
sort `timevar'
ss_export_table period_coefficients

summarize r2
local mean_r2 = r(mean)
summarize n
local mean_n = r(mean)
tempfile table
local row 0
foreach v in `indepvars' _cons {
    local row = `row' + 1
    summarize b_`v'
    local T = r(N)
    local m = r(mean)
    local s = r(sd)
    preserve
    clear
    set obs 1
    generate int _ss_row = `row'
    generate str32 term = "`v'"
    generate double coef = `m'
    generate double se = `s' / sqrt(`T')
    generate double t = coef / se
    generate double p = 2 * ttail(`T' - 1, abs(t))
    generate double periods = `T'
    generate double mean_r2 = `mean_r2'
    generate double mean_n = `mean_n'
    if `row' > 1 {
        append using `table'
    }
    save `table', replace
    restore
}
use `table', clear
sort _ss_row
drop _ss_row
ss_export_table fama_macbeth
