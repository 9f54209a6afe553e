* Sample size and power of the paired (one-sample) t test for a mean difference `diff' with SD of differences `sd_diff'.
local side ""
if `onesided' {
    local side "onesided"
}
power onemean 0 `diff', sd(`sd_diff') alpha(`alpha') power(`target_power') `side'
local n_req = r(N)
local planned_power = .
local n_plan = .
if "`n'" != "" {
    local n_plan = `n'
    power onemean 0 `diff', sd(`sd_diff') alpha(`alpha') n(`n_plan') `side'
    local planned_power = r(power)
}

* Power over numbers of pairs up to twice the required one.
tempname rows
tempfile curve
postfile `rows' double(pairs power) using `curve'
forvalues k = 1/20 {
    local m = max(2, ceil(`n_req' * `k' / 10))
    power onemean 0 `diff', sd(`sd_diff') alpha(`alpha') n(`m') `side'
    post `rows' (`m') (r(power))
}
postclose `rows'

clear
set obs 1
generate double diff = `diff'
generate double sd_diff = `sd_diff'
generate double effect_size = `diff' / `sd_diff'
generate double alpha = `alpha'
generate byte onesided = `onesided'
generate double target_power = `target_power'
generate double pairs_required = `n_req'
generate double pairs_planned = `n_plan'
generate double power_planned = `planned_power'
ss_export_table sample_size

use `curve', clear
duplicates drop pairs, force
ss_export_table power_curve
twoway line power pairs, yline(`target_power') ytitle("Power") xtitle("Number of pairs") title("Power of the paired t test")
graph export results/power_curve.png, replace
