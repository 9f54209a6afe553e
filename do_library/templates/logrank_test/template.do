* Log-rank test of equal survival of the two groups of `group'.
use "`main_data'", clear
keep if !missing(`time') & !missing(`event') & !missing(`group') & `time' > 0
levelsof `group', local(levels)
assert `: word count `levels'' == 2
local first : word 1 of `levels'
local second : word 2 of `levels'
generate byte _ss_d = (`event' != 0)
generate byte _ss_in1 = (`group' == `first')
generate byte _ss_d1 = _ss_d * _ss_in1
count if _ss_in1 == 1
local n1 = r(N)
local n2 = _N - `n1'
count if _ss_d1 == 1
local o1 = r(N)
count if _ss_d == 1 & _ss_in1 == 0
local o2 = r(N)

* At each time: all at risk, the first group's at risk, all events and the first group's.
gsort -`time'
generate double _ss_r = sum(1)
generate double _ss_r1 = sum(_ss_in1)
collapse (max) r = _ss_r r1 = _ss_r1 (sum) d = _ss_d, by(`time')
keep if d > 0
generate double _ss_e1 = d * r1 / r
generate double _ss_v = d * (r - d) / max(r - 1, 1) * (r1 / r) * (1 - r1 / r)
summarize _ss_e1
local e1 = r(sum)
summarize d
local e2 = r(sum) - `e1'
summarize _ss_v
local v = r(sum)

clear
set obs 2
generate double group = cond(_n == 1, `first', `second')
generate double n = cond(_n == 1, `n1', `n2')
generate double observed = cond(_n == 1, `o1', `o2')
generate double expected = cond(_n == 1, `e1', `e2')
generate double chi2 = (`o1' - `e1')^2 / `v'
generate double df = 1
generate double p = chi2tail(1, chi2)
ss_export_table logrank
