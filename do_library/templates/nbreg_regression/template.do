* Negative binomial (NB2) regression of `depvar' with IRRs and the test of alpha = 0.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars' `exposure')
keep if _ss_miss == 0
drop _ss_miss
local expopt ""
if "`exposure'" != "" {
    local expopt "exposure(`exposure')"
}
poisson `depvar' `indepvars', `expopt' vce(`vce')
ss_store_model poisson, title("Poisson regression") level(`level')
nbreg `depvar' `indepvars', `expopt' vce(`vce') level(`level')
ss_store_model nbreg, title("Negative binomial regression") level(`level')
local alpha = e(alpha)
local lnalpha = _b[/lnalpha]
local lnalpha_se = _se[/lnalpha]
local chi2_c = e(chi2_c)
local N = e(N)
local z = invnormal(1 - (100 - `level') / 200)
local k : word count `indepvars'
local terms "`indepvars' _cons"

clear
set obs `=`k' + 1'
generate str32 term = ""
generate double irr = .
generate double ci_lo = .
generate double ci_hi = .
forvalues j = 1/`=`k' + 1' {
    local t : word `j' of `terms'
    replace term = "`t'" in `j'
    replace irr = exp(_b[`depvar':`t']) in `j'
    replace ci_lo = exp(_b[`depvar':`t'] - `z' * _se[`depvar':`t']) in `j'
    replace ci_hi = exp(_b[`depvar':`t'] + `z' * _se[`depvar':`t']) in `j'
}
ss_export_table irr

clear
set obs 1
generate double N = `N'
generate double alpha = `alpha'
generate double lnalpha = `lnalpha'
generate double lnalpha_se = `lnalpha_se'
generate double chi2_alpha0 = `chi2_c'
generate double p_alpha0 = 0.5 * chi2tail(1, `chi2_c')
ss_export_table dispersion
