* Inverse-probability-weighted effect of `treat' on `depvar' (`estimand').
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `treat' `covariates')
keep if _ss_miss == 0
logit `treat' `covariates'
ss_store_model pscore, title("Propensity score (logit)")
predict double _ss_p, pr
generate double _ss_w = cond(`treat' != 0, 1 / _ss_p, 1 / (1 - _ss_p))
if "`estimand'" == "att" {
    replace _ss_w = cond(`treat' != 0, 1, _ss_p / (1 - _ss_p))
}
regress `depvar' `treat' [pweight = _ss_w]
ss_store_model ipw, title("IPW `estimand' (Hajek)")

generate byte _ss_group = (`treat' != 0)
collapse (count) n = _ss_p (mean) mean_pscore = _ss_p (min) min_pscore = _ss_p (max) max_pscore = _ss_p (sum) sum_weights = _ss_w (max) max_weight = _ss_w, by(_ss_group)
rename _ss_group treated
ss_export_table overlap
