* Confidence intervals for the proportions of `varlist' (0/1) by five methods (ci proportions).
use "`main_data'", clear
local groups "_all"
if "`group'" != "" {
    keep if !missing(`group')
    levelsof `group', local(levels)
    local groups "`levels'"
}
tempname rows
tempfile table
postfile `rows' str32 variable str12 group str10 method double(N successes proportion se ci_lo ci_hi) using `table'
foreach v of varlist `varlist' {
    foreach g of local groups {
        local sel ""
        if "`g'" != "_all" {
            local sel "if `group' == `g'"
        }
        foreach m in exact wilson agresti jeffreys wald {
            ci proportions `v' `sel', `m' level(`level')
            local label = cond("`g'" == "_all", "all", "`g'")
            post `rows' ("`v'") ("`label'") ("`m'") (r(N)) (r(N) * r(proportion)) (r(proportion)) (r(se)) (r(lb)) (r(ub))
        }
    }
}
postclose `rows'
use `table', clear
generate double level = `level'
ss_export_table proportion_ci
