* McNemar test: `var1' against `var2' on the same units.
use "`main_data'", clear
keep if !missing(`var1') & !missing(`var2')
count if `var1' != 0 & `var2' != 0
local a = r(N)
count if `var1' != 0 & `var2' == 0
local b = r(N)
count if `var1' == 0 & `var2' != 0
local c = r(N)
count if `var1' == 0 & `var2' == 0
local d = r(N)
local n = `a' + `b' + `c' + `d'

* Exact two-sided p-value: binomial(b + c, 1/2) tail at min(b, c), doubled.
local m = `b' + `c'
local k = min(`b', `c')
local p_exact = 1
if `m' > 0 {
    local tail = 0
    forvalues i = 0/`k' {
        local tail = `tail' + exp(lnfactorial(`m') - lnfactorial(`i') - lnfactorial(`m' - `i') - `m' * ln(2))
    }
    local p_exact = min(1, 2 * `tail')
}

clear
set obs 1
generate str32 variable1 = "`var1'"
generate str32 variable2 = "`var2'"
generate double N = `n'
generate double both = `a'
generate double first_only = `b'
generate double second_only = `c'
generate double neither = `d'
generate double p1 = (`a' + `b') / `n'
generate double p2 = (`a' + `c') / `n'
generate double diff = p1 - p2
generate double chi2 = (`b' - `c')^2 / (`b' + `c')
generate double p = chi2tail(1, chi2)
generate double p_exact = `p_exact'
generate double odds_ratio = `b' / `c'
ss_export_table mcnemar
