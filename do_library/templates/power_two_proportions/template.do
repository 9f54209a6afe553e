* Sample size and power of the chi-squared test of two proportions, `p1' against `p2'.
local side ""
if `onesided' {
    local side "onesided"
}
power twoproportions `p1' `p2', alpha(`alpha') power(`target_power') nratio(`nratio') `side'
local n1_req = r(N1)
local n2_req = r(N2)
local n_req = r(N)
local planned_power = .
local n1_plan = .
local n2_plan = .
if "`n1'" != "" {
    local n1_plan = `n1'
    local n2_plan = ceil(`n1' * `nratio' - 1e-9)
    power twoproportions `p1' `p2', alpha(`alpha') n1(`n1_plan') n2(`n2_plan') `side'
    local planned_power = r(power)
}

* Power over a range of first-group sizes, up to twice the required one.
tempname rows
tempfile curve
postfile `rows' double(n1 n2 N power) using `curve'
forvalues k = 1/20 {
    local m1 = max(2, ceil(`n1_req' * `k' / 10))
    local m2 = ceil(`m1' * `nratio' - 1e-9)
    power twoproportions `p1' `p2', alpha(`alpha') n1(`m1') n2(`m2') `side'
    post `rows' (`m1') (`m2') (`m1' + `m2') (r(power))
}
postclose `rows'

clear
set obs 1
generate double p1 = `p1'
generate double p2 = `p2'
generate double diff = `p2' - `p1'
generate double alpha = `alpha'
generate byte onesided = `onesided'
generate double target_power = `target_power'
generate double nratio = `nratio'
generate double n1_required = `n1_req'
generate double n2_required = `n2_req'
generate double n_required = `n_req'
generate double n1_planned = `n1_plan'
generate double n2_planned = `n2_plan'
generate double power_planned = `planned_power'
ss_export_table sample_size

use `curve', clear
duplicates drop n1, force
ss_export_table power_curve
twoway line power N, yline(`target_power') ytitle("Power") xtitle("Total sample size") title("Power of the two-proportion test, `p1' vs `p2'")
graph export results/power_curve.png, replace
