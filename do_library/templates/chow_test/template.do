* Chow test of a break in `depvar' on `indepvars' where `breakvar' reaches `breakpoint'.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars' `breakvar')
keep if _ss_miss == 0
generate byte _ss_after = (`breakvar' >= `breakpoint')
regress `depvar' `indepvars'
ss_store_model pooled, title("Whole sample")
local rss_p = e(rss)
local n = e(N)
local k = e(df_m) + 1
regress `depvar' `indepvars' if _ss_after == 0
ss_store_model before, title("Before `breakpoint'")
local rss_1 = e(rss)
local n_1 = e(N)
regress `depvar' `indepvars' if _ss_after == 1
ss_store_model after, title("From `breakpoint'")
local rss_2 = e(rss)
local n_2 = e(N)

clear
set obs 1
generate str32 breakvar = "`breakvar'"
generate double breakpoint = `breakpoint'
generate double n_before = `n_1'
generate double n_after = `n_2'
generate double df1 = `k'
generate double df2 = `n' - 2 * `k'
generate double F = ((`rss_p' - `rss_1' - `rss_2') / df1) / ((`rss_1' + `rss_2') / df2)
generate double p = Ftail(df1, df2, F)
ss_export_table chow_test
