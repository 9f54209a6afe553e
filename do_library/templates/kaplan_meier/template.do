* Kaplan-Meier survivor function of `time' with events `event' (by `group' when given).
use "`main_data'", clear
keep if !missing(`time') & !missing(`event') & `time' > 0
if "`group'" != "" {
    keep if !missing(`group')
    generate _ss_g = `group'
}
else {
    generate byte _ss_g = 1
}
generate byte _ss_d = (`event' != 0)
generate byte _ss_c = 1 - _ss_d
local z = invnormal(1 - (100 - `level') / 200)

* At risk at t: subjects of the group with time >= t (a running count from the longest time).
gsort _ss_g -`time'
by _ss_g: generate double _ss_r = sum(1)
collapse (max) at_risk = _ss_r (sum) events = _ss_d censored = _ss_c, by(_ss_g `time')
sort _ss_g `time'

* S(t) = product of (1 - d/n); it drops to 0 for good once everyone left at risk fails.
generate double _ss_log = cond(events < at_risk, ln(1 - events / at_risk), 0)
by _ss_g: generate double _ss_zero = sum(events == at_risk)
by _ss_g: generate double _ss_sumlog = sum(_ss_log)
generate double survival = cond(_ss_zero > 0, 0, exp(_ss_sumlog))
generate double _ss_gw = cond(events < at_risk, events / (at_risk * (at_risk - events)), 0)
by _ss_g: generate double _ss_sumgw = sum(_ss_gw)
generate double se = survival * sqrt(_ss_sumgw) if _ss_zero == 0
generate double _ss_s = sqrt(_ss_sumgw) / abs(ln(survival)) if _ss_zero == 0 & survival < 1
generate double ci_lo = survival^exp(`z' * _ss_s)
generate double ci_hi = survival^exp(-`z' * _ss_s)

preserve
generate double _ss_half = `time' if survival <= 0.5
collapse (min) median = _ss_half (sum) events (max) n = at_risk, by(_ss_g)
rename _ss_g group
ss_export_table km_median
restore

rename _ss_g group
keep group `time' at_risk events censored survival se ci_lo ci_hi
ss_export_table km_table
