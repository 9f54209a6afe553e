* Chi-squared goodness of fit of `var' against equal shares.
use "`main_data'", clear
keep if !missing(`var')
generate byte _ss_one = 1
collapse (count) observed = _ss_one, by(`var')
local k = _N
egen double _ss_n = total(observed)
generate double expected = _ss_n / `k'
generate double contribution = (observed - expected)^2 / expected
summarize contribution
local chi2 = r(sum)
local n = _ss_n[1]
drop _ss_n
ss_export_table gof_cells

clear
set obs 1
generate str32 variable = "`var'"
generate double N = `n'
generate double categories = `k'
generate double df = `k' - 1
generate double chi2 = `chi2'
generate double p = chi2tail(df, chi2)
ss_export_table gof_test
