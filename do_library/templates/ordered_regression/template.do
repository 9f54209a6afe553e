* Ordered logit/probit of `depvar' on `indepvars'; observed vs average predicted shares.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars')
keep if _ss_miss == 0
drop _ss_miss
if "`model'" == "oprobit" {
    oprobit `depvar' `indepvars', vce(`vce')
    ss_store_model oprobit, title("Ordered probit")
}
else {
    ologit `depvar' `indepvars', vce(`vce')
    ss_store_model ologit, title("Ordered logit")
}
levelsof `depvar', local(levels)
local J : word count `levels'
local probs ""
forvalues j = 1/`J' {
    local probs "`probs' _ss_p`j'"
}
predict double `probs', pr
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
