* IV (2SLS) with the first stage, its F test on the excluded instruments, and OLS.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `endog' `instruments' `exog')
keep if _ss_miss == 0
drop _ss_miss
local regvce "ols"
if "`vce'" == "robust" {
    local regvce "robust"
}

regress `endog' `instruments' `exog', vce(`regvce')
ss_store_model first, title("First stage: `endog'")
test `instruments'
local F = r(F)
local df = r(df)
local df_r = r(df_r)
local p = r(p)

regress `depvar' `endog' `exog', vce(`regvce')
ss_store_model ols, title("OLS")

ivregress 2sls `depvar' `exog' (`endog' = `instruments'), vce(`vce') small
ss_store_model iv, title("IV (2SLS)")

keep in 1
keep `depvar'
generate str32 endogenous = "`endog'"
generate double F = `F'
generate double df = `df'
generate double df_r = `df_r'
generate double p = `p'
drop `depvar'
ss_export_table first_stage
