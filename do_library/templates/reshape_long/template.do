* Reshape from wide to long: stubs `stubs', unit `id', new index `j'.
use "`main_data'", clear
reshape long `stubs', i(`id') j(`j')
describe
ss_export_table long_data
