* Recode `key' through the lookup table (many-to-one on the key, every main row kept).
use "`main_data'", clear
generate long _ss_order = _n
merge m:1 `key' using "`mapping_data'", keep(master match)
generate byte mapped = (_merge == 3)

preserve
generate byte _ss_one = 1
collapse (sum) n = _ss_one (max) mapped, by(`key')
ss_export_table mapping_report
restore

sort _ss_order
drop _ss_order _merge mapped
ss_export_table recoded
