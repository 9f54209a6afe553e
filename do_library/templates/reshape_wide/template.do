* Reshape from long to wide: `values' by `j' within `id'.
use "`main_data'", clear
keep `id' `j' `values'
reshape wide `values', i(`id') j(`j')
describe
ss_export_table wide_data
