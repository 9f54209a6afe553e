* Append the second dataset below the main one, recording the source in `source'.
use "`main_data'", clear
generate byte `source' = 1
append using "`extra_data'"
replace `source' = 2 if missing(`source')
ss_export_table appended

generate byte _ss_one = 1
collapse (count) n = _ss_one, by(`source')
ss_export_table append_report
