* Difference-in-differences: group x period interaction.
use "`main_data'", clear
local vceopt "vce(robust)"
if "`clustvar'" != "" {
    local vceopt "vce(cluster `clustvar')"
}
regress `depvar' i.`treated'##i.`post' `controls', `vceopt'
ss_store_model did, title("Difference-in-differences")

keep if e(sample)
collapse (mean) mean = `depvar' (count) n = `depvar', by(`treated' `post')
ss_export_table did_means
