* Platform test template: a result table the formatter cannot read.
use "`main_data'", clear
generate model = "m1"
ss_export_table coefficients model `var'
