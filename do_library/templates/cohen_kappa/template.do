* Cohen's kappa of `rater1' and `rater2' (the statistic and null standard error of kap).
use "`main_data'", clear
keep if !missing(`rater1') & !missing(`rater2')
local n = _N
count if `rater1' == `rater2'
local po = r(N) / `n'

* Each category's count by each rater (a category one rater never used counts 0).
generate byte _ss_one = 1
tempfile second
preserve
collapse (sum) rater2_n = _ss_one, by(`rater2')
rename `rater2' category
save `second'
restore
preserve
collapse (sum) rater1_n = _ss_one, by(`rater1')
rename `rater1' category
merge 1:1 category using `second'
replace rater1_n = 0 if missing(rater1_n)
replace rater2_n = 0 if missing(rater2_n)
drop _merge
sort category
generate double _ss_pe = rater1_n * rater2_n / `n'^2
generate double _ss_w = _ss_pe * (rater1_n + rater2_n) / `n'
summarize _ss_pe
local pe = r(sum)
summarize _ss_w
local w = r(sum)
drop _ss_pe _ss_w
ss_export_table kappa_categories
restore

clear
set obs 1
generate double n = `n'
generate double agreement = `po'
generate double expected_agreement = `pe'
generate double kappa = (`po' - `pe') / (1 - `pe')
generate double se = sqrt(`pe' + `pe'^2 - `w') / ((1 - `pe') * sqrt(`n'))
generate double z = kappa / se
generate double p = normal(-z)
ss_export_table kappa
