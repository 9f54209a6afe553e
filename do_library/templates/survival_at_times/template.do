* Kaplan-Meier survival of `time' (events `event') at the times `times' (by `group' when given).
use "`main_data'", clear
egen _ss_miss = rowmiss(`time' `event' `group')
keep if _ss_miss == 0 & `time' > 0
drop _ss_miss
if "`group'" != "" {
    generate _ss_g = `group'
}
else {
    generate byte _ss_g = 1
}
stset `time', failure(`event')
sts generate _ss_s = s _ss_se = se(s) _ss_lb = lb(s) _ss_ub = ub(s), by(_ss_g) level(`level')
levelsof _ss_g, local(groups)
sort _ss_g _t
generate long _ss_row = _n
tempname rows
tempfile table
postfile `rows' double(group at at_risk events survival se ci_lo ci_hi) using `table'
foreach g of local groups {
    summarize _t if _ss_g == `g'
    local last = r(max)
    foreach t of numlist `times' {
        count if _ss_g == `g' & _t >= `t'
        local risk = r(N)
        count if _ss_g == `g' & _d == 1 & _t <= `t'
        local events = r(N)
        * S(t): the estimate at the latest time not after t; 1 before any time, missing after follow-up.
        local s = 1
        local se = 0
        local lo = .
        local hi = .
        summarize _ss_row if _ss_g == `g' & _t <= `t'
        if r(N) > 0 {
            local i = r(max)
            local s = _ss_s[`i']
            local se = _ss_se[`i']
            local lo = _ss_lb[`i']
            local hi = _ss_ub[`i']
        }
        if `t' > `last' {
            local s = .
            local se = .
            local lo = .
            local hi = .
        }
        post `rows' (`g') (`t') (`risk') (`events') (`s') (`se') (`lo') (`hi')
    }
}
postclose `rows'
use `table', clear
ss_export_table survival_at_times
