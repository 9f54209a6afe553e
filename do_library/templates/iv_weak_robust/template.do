* IV of `depvar' on `endog': first-stage F, 2SLS vs LIML, Anderson-Rubin test of b = `null'.
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
local F1 = r(F)
local df1 = r(df)
local dfr1 = r(df_r)
local p1 = r(p)

ivregress 2sls `depvar' `exog' (`endog' = `instruments'), vce(`vce') small
ss_store_model tsls, title("2SLS")
ivregress liml `depvar' `exog' (`endog' = `instruments'), vce(`vce') small
ss_store_model liml, title("LIML")
local kappa = e(kappa)

generate double _ss_ar = `depvar' - (`null') * `endog'
regress _ss_ar `instruments' `exog', vce(`regvce')
test `instruments'
local F2 = r(F)
local df2 = r(df)
local dfr2 = r(df_r)
local p2 = r(p)

clear
set obs 2
generate str40 test = ""
generate double statistic = .
generate double df = .
generate double df_r = .
generate double p = .
replace test = "first-stage F (excluded instruments)" in 1
replace statistic = `F1' in 1
replace df = `df1' in 1
replace df_r = `dfr1' in 1
replace p = `p1' in 1
replace test = "Anderson-Rubin F (effect = `null')" in 2
replace statistic = `F2' in 2
replace df = `df2' in 2
replace df_r = `dfr2' in 2
replace p = `p2' in 2
generate double liml_kappa = `kappa'
ss_export_table weak_iv_tests
