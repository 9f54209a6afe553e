* Survival summary of `time' (events `event'): time at risk, incidence rates, quartiles.
use "`main_data'", clear
egen _ss_miss = rowmiss(`time' `event' `group')
keep if _ss_miss == 0 & `time' > 0
drop _ss_miss
stset `time', failure(`event')
stdescribe
local alpha = (100 - `level') / 100
local groups "_all"
if "`group'" != "" {
    levelsof `group', local(levels)
    local groups "`levels' _all"
}
tempname rows
tempfile table
postfile `rows' str12 group subjects failures time_at_risk p25 p50 p75 using `table'
foreach g of local groups {
    local sel ""
    if "`g'" != "_all" {
        local sel "if `group' == `g'"
    }
    stsum `sel'
    local risk = r(risk)
    local subjects = r(N_sub)
    local p25 = r(p25)
    local p50 = r(p50)
    local p75 = r(p75)
    count if _d == 1 `=cond("`sel'" == "", "", "& `group' == `g'")'
    local label = cond("`g'" == "_all", "Total", "`g'")
    post `rows' ("`label'") (`subjects') (r(N)) (`risk') (`p25') (`p50') (`p75')
}
postclose `rows'
use `table', clear
* Incidence rate per `per' units of time, exact (Poisson) confidence interval.
generate double rate = `per' * failures / time_at_risk
generate double rate_lo = cond(failures == 0, 0, `per' * invchi2(2 * failures, `alpha' / 2) / (2 * time_at_risk))
generate double rate_hi = `per' * invchi2(2 * failures + 2, 1 - `alpha' / 2) / (2 * time_at_risk)
generate double per = `per'
order group subjects failures time_at_risk per rate rate_lo rate_hi p25 p50 p75
ss_export_table survival_summary
