* One-way frequency table of `var'.
use "`main_data'", clear
if `include_missing' {
    tabulate `var', missing
}
else {
    tabulate `var'
    drop if missing(`var')
}
generate byte _ss_one = 1
collapse (count) freq = _ss_one, by(`var')
egen double _ss_total = total(freq)
generate double percent = 100 * freq / _ss_total
generate double cum_percent = sum(percent)
drop _ss_total
ss_export_table frequencies
