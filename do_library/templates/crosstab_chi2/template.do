* Cross-tabulation of `rowvar' by `colvar' with the chi-squared test of independence.
use "`main_data'", clear
local exactopt ""
if `exact' {
    local exactopt "exact"
}
tabulate `rowvar' `colvar', chi2 V `exactopt'
local N = r(N)
local r = r(r)
local c = r(c)
local chi2 = r(chi2)
local p = r(p)
local V = r(CramersV)
local p_exact = .
if `exact' {
    local p_exact = r(p_exact)
}

preserve
keep in 1
keep `rowvar'
rename `rowvar' _ss_x
generate double N = `N'
generate double rows = `r'
generate double cols = `c'
generate double chi2 = `chi2'
generate double df = (`r' - 1) * (`c' - 1)
generate double p = `p'
generate double cramers_v = `V'
generate double p_exact = `p_exact'
drop _ss_x
ss_export_table chi2_test
restore

drop if missing(`rowvar') | missing(`colvar')
generate byte _ss_one = 1
collapse (count) freq = _ss_one, by(`rowvar' `colvar')
egen double _ss_row = total(freq), by(`rowvar')
egen double _ss_col = total(freq), by(`colvar')
egen double _ss_all = total(freq)
generate double row_pct = 100 * freq / _ss_row
generate double col_pct = 100 * freq / _ss_col
generate double cell_pct = 100 * freq / _ss_all
drop _ss_row _ss_col _ss_all
ss_export_table crosstab
