* Difference-in-differences: group x period interaction.
use "`main_data'", clear
local vceopt "vce(robust)"
if "`clustvar'" != "" {
    local vceopt "vce(cluster `clustvar')"
}
regress `depvar' i.`treated'##i.`post' `controls', `vceopt'
ss_store_model did, title("Difference-in-differences")

keep if e(sample)
generate double _ss_y = `depvar'
collapse (mean) mean = _ss_y (count) n = _ss_y, by(`treated' `post')
ss_export_table did_means
