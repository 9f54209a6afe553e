* Fisher's exact test of `rowvar' by `colvar' (a 2 x 2 table).
use "`main_data'", clear
keep if !missing(`rowvar') & !missing(`colvar')
tabulate `rowvar' `colvar', chi2 exact
if r(r) != 2 | r(c) != 2 {
    display as error "fisher_exact needs two binary variables; `rowvar' by `colvar' is `r(r)' x `r(c)'"
    exit 459
}
local N = r(N)
local p_exact = r(p_exact)
local p1_exact = r(p1_exact)
local chi2 = r(chi2)
local p = r(p)

preserve
generate byte _ss_one = 1
collapse (count) freq = _ss_one, by(`rowvar' `colvar')
fillin `rowvar' `colvar'
replace freq = 0 if _fillin
drop _fillin
sort `rowvar' `colvar'
local n00 = freq[1]
local n01 = freq[2]
local n10 = freq[3]
local n11 = freq[4]
ss_export_table table_2x2
restore

clear
set obs 1
generate double N = `N'
generate double p_exact = `p_exact'
generate double p1_exact = `p1_exact'
generate double odds_ratio = (`n11' * `n00') / (`n10' * `n01')
generate double chi2 = `chi2'
generate double p_chi2 = `p'
ss_export_table fisher_test
