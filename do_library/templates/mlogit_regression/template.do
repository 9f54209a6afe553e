* Multinomial logit of `depvar' on `indepvars': coefficients, RRRs, observed vs predicted shares.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars')
keep if _ss_miss == 0
drop _ss_miss
local baseopt ""
if "`base'" != "" {
    local baseopt "baseoutcome(`base')"
}
mlogit `depvar' `indepvars', `baseopt' vce(`vce')
ss_store_model mlogit, title("Multinomial logit")
local basecat = e(baseout)
levelsof `depvar', local(levels)
local J : word count `levels'
local k : word count `indepvars'
local terms "`indepvars' _cons"
local probs ""
forvalues j = 1/`J' {
    local probs "`probs' _ss_p`j'"
}
predict double `probs', pr

preserve
clear
set obs `=(`J' - 1) * (`k' + 1)'
generate double outcome = .
generate str32 term = ""
generate double rrr = .
generate double ci_lo = .
generate double ci_hi = .
local row = 0
foreach v of local levels {
    if `v' != `basecat' {
        forvalues j = 1/`=`k' + 1' {
            local ++row
            local t : word `j' of `terms'
            replace outcome = `v' in `row'
            replace term = "`t'" in `row'
            replace rrr = exp([`v']_b[`t']) in `row'
            replace ci_lo = exp([`v']_b[`t'] - invnormal(0.975) * [`v']_se[`t']) in `row'
            replace ci_hi = exp([`v']_b[`t'] + invnormal(0.975) * [`v']_se[`t']) in `row'
        }
    }
}
ss_export_table rrr
restore

forvalues j = 1/`J' {
    local v : word `j' of `levels'
    generate double _ss_o`j' = `depvar' == `v'
}
collapse (mean) _ss_o* _ss_p*
generate byte _ss_row = 1
reshape long _ss_o _ss_p, i(_ss_row) j(category)
generate double outcome = .
forvalues j = 1/`J' {
    replace outcome = `: word `j' of `levels'' in `j'
}
rename _ss_o observed_share
rename _ss_p predicted_share
keep category outcome observed_share predicted_share
order category outcome observed_share predicted_share
ss_export_table predicted_shares
