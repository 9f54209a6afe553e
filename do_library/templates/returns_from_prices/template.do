* Simple and log returns of `price' against the previous observation (by `panelvar').
use "`main_data'", clear
* a single series is one unit
local unit "`panelvar'"
if "`unit'" == "" {
    generate byte _ss_unit = 1
    local unit "_ss_unit"
}
sort `unit' `timevar'
generate double _ss_div = 0
if "`dividend'" != "" {
    replace _ss_div = `dividend' if !missing(`dividend')
}
by `unit': generate double _ss_prev = `price'[_n - 1]
generate double `simple' = (`price' + _ss_div) / _ss_prev - 1 if _ss_prev > 0 & !missing(_ss_prev) & `price' > 0
generate double `logret' = ln((`price' + _ss_div) / _ss_prev) if !missing(`simple')
drop _ss_div _ss_prev
if "`panelvar'" == "" {
    drop _ss_unit
}
ss_export_table returns

generate byte _ss_one = 1
collapse (count) returns = `simple' (sum) rows = _ss_one (mean) mean_simple = `simple' (sd) sd_simple = `simple' (mean) mean_log = `logret'
generate double missing_returns = rows - returns
order rows returns missing_returns
ss_export_table return_summary
