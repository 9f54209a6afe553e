* `groups' portfolios of `ret' sorted each `timevar' on the previous observation of `sortvar'.
use "`main_data'", clear
sort `panelvar' `timevar'
by `panelvar': generate double _ss_signal = `sortvar'[_n - 1]
keep if !missing(`ret') & !missing(_ss_signal) & !missing(`timevar')
sort `timevar' `panelvar'
egen double _ss_rank = rank(_ss_signal), by(`timevar') unique
egen double _ss_n = count(_ss_signal), by(`timevar')
generate int portfolio = ceil(`groups' * _ss_rank / _ss_n)
collapse (mean) r = `ret' (count) n = `ret', by(`timevar' portfolio)
reshape wide r n, i(`timevar') j(portfolio)
generate double spread = r`groups' - r1
ss_export_table portfolio_returns

tempfile table
forvalues k = 1/`=`groups' + 1' {
    local v "r`k'"
    if `k' > `groups' {
        local v "spread"
    }
    summarize `v'
    local T = r(N)
    local m = r(mean)
    local s = r(sd)
    preserve
    clear
    set obs 1
    generate int _ss_row = `k'
    generate str16 portfolio = cond(`k' > `groups', "high_minus_low", string(`k'))
    generate double periods = `T'
    generate double mean = `m'
    generate double sd = `s'
    generate double t = mean / (sd / sqrt(periods))
    generate double p = 2 * ttail(periods - 1, abs(t))
    if `k' > 1 {
        append using `table'
    }
    save `table', replace
    restore
}
use `table', clear
sort _ss_row
drop _ss_row
ss_export_table portfolio_summary
