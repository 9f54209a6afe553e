* Collapse `vars' to their `stat' within groups of `by'.
use "`main_data'", clear
generate byte _ss_one = 1
collapse (`stat') `vars' (count) n_rows = _ss_one, by(`by')
ss_export_table collapsed
