* Accuracy of the binary test `test' against the reference standard `truth'.
use "`main_data'", clear
keep if !missing(`test') & !missing(`truth')
count if `test' != 0 & `truth' != 0
local tp = r(N)
count if `test' != 0 & `truth' == 0
local fp = r(N)
count if `test' == 0 & `truth' != 0
local fn = r(N)
count if `test' == 0 & `truth' == 0
local tn = r(N)
local n = `tp' + `fp' + `fn' + `tn'
local z = invnormal(1 - (100 - `level') / 200)

clear
set obs 8
generate str16 measure = ""
generate double numerator = .
generate double denominator = .
local i 0
foreach m in sensitivity specificity ppv npv accuracy prevalence {
    local i = `i' + 1
    replace measure = "`m'" in `i'
}
replace numerator = `tp' in 1
replace denominator = `tp' + `fn' in 1
replace numerator = `tn' in 2
replace denominator = `tn' + `fp' in 2
replace numerator = `tp' in 3
replace denominator = `tp' + `fp' in 3
replace numerator = `tn' in 4
replace denominator = `tn' + `fn' in 4
replace numerator = `tp' + `tn' in 5
replace denominator = `n' in 5
replace numerator = `tp' + `fn' in 6
replace denominator = `n' in 6
generate double estimate = numerator / denominator

* Wilson score interval of each proportion.
generate double _ss_c = (estimate + `z'^2 / (2 * denominator)) / (1 + `z'^2 / denominator)
generate double _ss_h = `z' / (1 + `z'^2 / denominator) * sqrt(estimate * (1 - estimate) / denominator + `z'^2 / (4 * denominator^2))
generate double ci_lo = _ss_c - _ss_h
generate double ci_hi = _ss_c + _ss_h
drop _ss_c _ss_h

* Likelihood ratios, intervals by the log method.
local sens = `tp' / (`tp' + `fn')
local spec = `tn' / (`tn' + `fp')
replace measure = "lr_positive" in 7
replace estimate = `sens' / (1 - `spec') in 7
replace measure = "lr_negative" in 8
replace estimate = (1 - `sens') / `spec' in 8
local se_pos = sqrt(1 / `tp' - 1 / (`tp' + `fn') + 1 / `fp' - 1 / (`fp' + `tn'))
local se_neg = sqrt(1 / `fn' - 1 / (`tp' + `fn') + 1 / `tn' - 1 / (`fp' + `tn'))
replace ci_lo = estimate * exp(-`z' * `se_pos') in 7
replace ci_hi = estimate * exp(`z' * `se_pos') in 7
replace ci_lo = estimate * exp(-`z' * `se_neg') in 8
replace ci_hi = estimate * exp(`z' * `se_neg') in 8
generate double level = `level'
ss_export_table diagnostic_accuracy
