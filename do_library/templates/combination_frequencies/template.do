* One row per combination of `vars' with its frequency and percentage.
use "`main_data'", clear
local opts ""
if `zero' {
    local opts "`opts' zero"
}
if `drop_missing' {
    local opts "`opts' nomiss"
}
contract `vars', freq(freq) `opts'
* percentages computed here in double precision
egen double _ss_total = total(freq)
generate double percent = 100 * freq / _ss_total
generate double cum_freq = sum(freq)
generate double cum_percent = 100 * cum_freq / _ss_total
drop _ss_total
ss_export_table combinations
