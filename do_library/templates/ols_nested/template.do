* Nested linear regressions on a common sample, with an F test for each added block.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `block1' `block2' `block3')
keep if _ss_miss == 0
drop _ss_miss

regress `depvar' `block1', vce(`vce')
ss_store_model m1, title("Model 1: baseline")

regress `depvar' `block1' `block2', vce(`vce')
ss_store_model m2, title("Model 2: + block 2")
test `block2'
local F2 = r(F)
local df2 = r(df)
local dfr2 = r(df_r)
local p2 = r(p)
local last 2

if "`block3'" != "" {
    regress `depvar' `block1' `block2' `block3', vce(`vce')
    ss_store_model m3, title("Model 3: + block 3")
    test `block3'
    local F3 = r(F)
    local df3 = r(df)
    local dfr3 = r(df_r)
    local p3 = r(p)
    local last 3
}

* One row per added block: model, F, numerator and denominator df, p-value.
keep in 1
keep `depvar'
forvalues m = 2/`last' {
    generate double F`m' = `F`m''
    generate double df`m' = `df`m''
    generate double dfr`m' = `dfr`m''
    generate double p`m' = `p`m''
}
generate byte _ss_one = 1
reshape long F df dfr p, i(_ss_one) j(step)
generate str8 model = "m" + string(step)
rename dfr df_r
keep model F df df_r p
order model F df df_r p
ss_export_table block_tests
