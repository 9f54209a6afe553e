* Event study: relative-period indicators with unit and period fixed effects.
use "`main_data'", clear
xtset `panelvar' `timevar'
generate _ss_rel = `timevar' - `eventvar'

* Leads -leads..-2 (the farthest bins all earlier periods); -1 is the reference period.
local evvars ""
forvalues k = `leads'(-1)2 {
    generate byte lead_`k' = (_ss_rel == -`k')
    if `k' == `leads' {
        replace lead_`k' = (_ss_rel <= -`k')
    }
    local evvars "`evvars' lead_`k'"
}
* Lags 0..lags (the farthest bins all later periods); never-treated units get zeros.
forvalues k = 0/`lags' {
    generate byte lag_`k' = (_ss_rel == `k')
    if `k' == `lags' {
        replace lag_`k' = (_ss_rel >= `k' & !missing(_ss_rel))
    }
    local evvars "`evvars' lag_`k'"
}

xtreg `depvar' `evvars' i.`timevar', fe vce(cluster `panelvar')
ss_store_model event_study, title("Event study")

* One row per relative period, the reference period -1 included with a zero effect.
local df = e(df_r)
keep in 1
keep `depvar'
local row 0
foreach v of local evvars {
    local row = `row' + 1
    generate double rel`row' = cond(substr("`v'", 1, 4) == "lead", -real(substr("`v'", 6, .)), real(substr("`v'", 5, .)))
    generate double b`row' = _b[`v']
    generate double se`row' = _se[`v']
}
local row = `row' + 1
generate double rel`row' = -1
generate double b`row' = 0
generate double se`row' = 0
generate byte _ss_one = 1
reshape long rel b se, i(_ss_one) j(_ss_row)
generate double ci_lo = b - invttail(`df', 0.025) * se
generate double ci_hi = b + invttail(`df', 0.025) * se
rename rel rel_time
rename b coef
sort rel_time
keep rel_time coef se ci_lo ci_hi
ss_export_table event_study
