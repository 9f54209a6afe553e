* Platform test template: fails on purpose.
use "`main_data'", clear
display "about to fail"
assert `var' < 0
ss_export_table never `var'
