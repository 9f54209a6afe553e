* Granger causality between `y' and `x' with `lags' lags, in both directions.
use "`main_data'", clear
keep if !missing(`y') & !missing(`x')
sort `timevars'
generate long _ss_t = _n
tsset _ss_t
* Lags named as Stata names the coefficients: L.x, L2.x, ...
local ylags "L.`y'"
local xlags "L.`x'"
forvalues k = 2/`lags' {
    local ylags "`ylags' L`k'.`y'"
    local xlags "`xlags' L`k'.`x'"
}
regress `y' `ylags' `xlags'
local n = e(N)
test `xlags'
local F1 = r(F)
local df = r(df)
local df_r = r(df_r)
local p1 = r(p)
regress `x' `ylags' `xlags'
test `ylags'
local F2 = r(F)
local p2 = r(p)

clear
set obs 2
generate str32 equation = cond(_n == 1, "`y'", "`x'")
generate str32 excluded = cond(_n == 1, "`x'", "`y'")
generate double lags = `lags'
generate double F = cond(_n == 1, `F1', `F2')
generate double df = `df'
generate double df_r = `df_r'
generate double p = cond(_n == 1, `p1', `p2')
generate double N = `n'
ss_export_table granger
