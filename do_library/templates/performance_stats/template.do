* Return, risk and drawdown of `ret' (by `panelvar' when given), annualised with `periods_per_year'.
use "`main_data'", clear
keep if !missing(`ret') & !missing(`timevar')
* a single series is one unit
local unit "`panelvar'"
if "`unit'" == "" {
    generate byte _ss_unit = 1
    local unit "_ss_unit"
}
keep if !missing(`unit')
generate double _ss_excess = `ret'
if "`rf'" != "" {
    replace _ss_excess = `ret' - `rf'
}
sort `unit' `timevar'
generate double _ss_log = ln(1 + `ret')
by `unit': generate double _ss_wealth = exp(sum(_ss_log))
* running peak of wealth, starting from the initial wealth of 1 (replace works row by row)
generate double _ss_peak = max(1, _ss_wealth)
by `unit': replace _ss_peak = max(_ss_peak[_n - 1], _ss_wealth) if _n > 1
generate double _ss_drawdown = 1 - _ss_wealth / _ss_peak
collapse (count) n = `ret' (mean) mean = `ret' (sd) sd = `ret' (min) worst = `ret' (max) best = `ret' (sum) _ss_log (mean) _ss_mex = _ss_excess (sd) _ss_sex = _ss_excess (max) max_drawdown = _ss_drawdown, by(`unit')
generate double ann_mean = mean * `periods_per_year'
generate double ann_sd = sd * sqrt(`periods_per_year')
generate double cum_return = exp(_ss_log) - 1
generate double ann_geometric = exp(_ss_log * `periods_per_year' / n) - 1
generate double sharpe = _ss_mex / _ss_sex * sqrt(`periods_per_year')
keep `unit' n mean sd ann_mean ann_sd ann_geometric cum_return sharpe best worst max_drawdown
order `unit' n mean sd ann_mean ann_sd ann_geometric cum_return sharpe best worst max_drawdown
if "`panelvar'" == "" {
    drop _ss_unit
}
ss_export_table performance
