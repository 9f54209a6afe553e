* Platform test template: a run that takes as long as asked.
use "`main_data'", clear
sleep `ms'
generate double doubled = `var' * 2
ss_export_table doubled `var' doubled
