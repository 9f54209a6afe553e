* Duplicates in terms of `vars' (all variables when none are given).
use "`main_data'", clear
if "`vars'" == "" {
    unab vars : _all
}
duplicates report `vars'
duplicates tag `vars', generate(_ss_surplus)
generate double copies = _ss_surplus + 1
drop _ss_surplus

preserve
generate byte _ss_one = 1
collapse (sum) observations = _ss_one, by(copies)
generate double surplus = observations - observations / copies
ss_export_table duplicates
restore

keep if copies > 1
egen long duplicate_group = group(`vars'), missing
sort duplicate_group, stable
order duplicate_group copies
ss_export_table duplicate_rows
