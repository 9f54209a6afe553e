* Power of the two-sample t-test for a difference `diff' (sd `sd', n `n1' and `n2'), exact and simulated.
local df = `n1' + `n2' - 2
local delta = `diff' / (`sd' * sqrt(1 / `n1' + 1 / `n2'))
local crit = invttail(`df', `alpha' / 2)
local power = nttail(`df', `delta', `crit') + nt(`df', `delta', -`crit')

* smallest equal group size reaching the target power
local n = 2
local reached = 0
while !`reached' {
    local d = `diff' / (`sd' * sqrt(2 / `n'))
    local c = invttail(2 * `n' - 2, `alpha' / 2)
    if nttail(2 * `n' - 2, `d', `c') + nt(2 * `n' - 2, `d', -`c') >= `target_power' {
        local reached = 1
    }
    else {
        local ++n
    }
}

program define _ss_power_draw, rclass
    args n1 n2 diff sd
    drop _all
    set obs `=`n1' + `n2''
    generate byte group = _n > `n1'
    generate double y = rnormal(`diff' * group, `sd')
    ttest y, by(group)
    return scalar p = r(p)
end
simulate p = r(p), reps(`reps') seed(`seed') nodots: _ss_power_draw `n1' `n2' `diff' `sd'
generate byte reject = p < `alpha'
summarize reject
local sim = r(mean)
local rejections = r(sum)

clear
set obs 1
generate double diff = `diff'
generate double sd = `sd'
generate double n1 = `n1'
generate double n2 = `n2'
generate double alpha = `alpha'
generate double effect_size = `diff' / `sd'
generate double power = `power'
generate double target_power = `target_power'
generate double n_per_group = `n'
generate double reps = `reps'
generate double simulated_power = `sim'
generate double sim_ci_lo = cond(`rejections' > 0, invibeta(`rejections', `reps' - `rejections' + 1, 0.025), 0)
generate double sim_ci_hi = cond(`rejections' < `reps', invibeta(`rejections' + 1, `reps' - `rejections', 0.975), 1)
ss_export_table power
