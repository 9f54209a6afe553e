* ROC analysis of `marker' against `truth': AUC with DeLong's standard error, and the curve.
use "`main_data'", clear
keep if !missing(`marker') & !missing(`truth')
generate byte _ss_d = (`truth' != 0)
count if _ss_d == 1
local n1 = r(N)
count if _ss_d == 0
local n0 = r(N)

* DeLong placement values from mid-ranks: for a diseased patient the share of healthy ones
* with a lower marker (ties one half), for a healthy one the share of diseased ones higher.
egen double _ss_rall = rank(`marker')
egen double _ss_rgrp = rank(`marker'), by(_ss_d)
generate double _ss_v = (_ss_rall - _ss_rgrp) / `n0' if _ss_d == 1
replace _ss_v = (`n1' - (_ss_rall - _ss_rgrp)) / `n1' if _ss_d == 0
summarize _ss_v if _ss_d == 1
local auc = r(mean)
local v10 = r(Var)
summarize _ss_v if _ss_d == 0
local v01 = r(Var)
local se = sqrt(`v10' / `n1' + `v01' / `n0')
local z = invnormal(1 - (100 - `level') / 200)

preserve
clear
set obs 1
generate str32 marker = "`marker'"
generate double n_diseased = `n1'
generate double n_healthy = `n0'
generate double auc = `auc'
generate double se = `se'
generate double ci_lo = auc - `z' * se
generate double ci_hi = auc + `z' * se
generate double level = `level'
ss_export_table auc
restore

* The curve: at cut-off c, positives are marker >= c.
generate byte _ss_h = 1 - _ss_d
collapse (sum) _ss_tp = _ss_d _ss_fp = _ss_h, by(`marker')
gsort -`marker'
generate double sensitivity = sum(_ss_tp) / `n1'
generate double specificity = 1 - sum(_ss_fp) / `n0'
generate double youden_j = sensitivity + specificity - 1
rename `marker' cutoff
keep cutoff sensitivity specificity youden_j
ss_export_table roc_curve
