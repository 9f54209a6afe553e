* Every combination of `panelvar' and `timevar'; added rows flagged in `flag'.
use "`main_data'", clear
fillin `panelvar' `timevar'
rename _fillin `flag'
foreach v of local zero_vars {
    replace `v' = 0 if `flag' == 1
}
sort `panelvar' `timevar'
ss_export_table filled

generate byte _ss_one = 1
collapse (sum) rows = _ss_one added = `flag', by(`panelvar')
generate double observed = rows - added
order `panelvar' observed added rows
ss_export_table fill_report
