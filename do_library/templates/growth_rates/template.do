* Growth of `vars' over `horizon' period(s) within `panelvar' over `timevar', and a summary.
use "`main_data'", clear
xtset `panelvar' `timevar'
foreach v of local vars {
    generate double g_`v' = 100 * (`v' / L`horizon'.`v' - 1)
    generate double lg_`v' = 100 * (ln(`v') - ln(L`horizon'.`v'))
}
sort `panelvar' `timevar'
ss_export_table growth

tempfile summary
local first = 1
foreach v of local vars {
    preserve
    keep if !missing(`v')
    by `panelvar': generate double _ss_x0 = `v'[1]
    by `panelvar': generate double _ss_x1 = `v'[_N]
    by `panelvar': generate double _ss_t0 = `timevar'[1]
    by `panelvar': generate double _ss_t1 = `timevar'[_N]
    collapse (count) n = `v' (mean) mean_growth = g_`v' (first) first_period = _ss_t0 (first) last_period = _ss_t1 (first) _ss_x0 (first) _ss_x1, by(`panelvar')
    generate double cagr = 100 * ((_ss_x1 / _ss_x0)^(1 / (last_period - first_period)) - 1)
    drop _ss_x0 _ss_x1
    generate str32 variable = "`v'"
    order variable `panelvar'
    if !`first' {
        append using `summary'
    }
    save `summary', replace
    local first = 0
    restore
}
use `summary', clear
sort variable `panelvar'
ss_export_table growth_summary
