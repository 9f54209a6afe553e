* Merge `kind' on `keys' with the second dataset.
use "`main_data'", clear
merge `kind' `keys' using "`using_data'"

preserve
generate byte _ss_one = 1
collapse (count) n = _ss_one, by(_merge)
generate str24 outcome = "main only"
replace outcome = "second only" if _merge == 2
replace outcome = "matched" if _merge == 3
generate int code = _merge
keep code outcome n
order code outcome n
ss_export_table merge_report
restore

if "`keep'" == "matched" {
    keep if _merge == 3
}
if "`keep'" == "master" {
    keep if _merge != 2
}
sort `keys'
ss_export_table merged
