* Lag-order selection for a VAR of `series': LR, FPE, AIC, HQIC and SBIC for 0 to `maxlag' lags.
use "`main_data'", clear
egen _ss_miss = rowmiss(`series')
keep if _ss_miss == 0
drop _ss_miss
sort `timevars'
generate long _ss_t = _n
tsset _ss_t
varsoc `series', maxlag(`maxlag')
matrix _ss_stats = r(stats)
local N = r(N)
clear
svmat double _ss_stats, names(col)
* The optimum of each criterion; LR: the largest lag whose test rejects at 5% (as varsoc marks it).
foreach c in FPE AIC HQIC SBIC {
    summarize `c'
    generate byte best_`c' = (`c' == r(min))
}
summarize lag if p < 0.05
generate byte best_LR = (lag == r(max))
generate double N = `N'
ss_export_table lag_selection
