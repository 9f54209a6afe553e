* VAR(`lags') of `series' and Granger causality Wald tests in every equation (vargranger).
use "`main_data'", clear
egen _ss_miss = rowmiss(`series')
keep if _ss_miss == 0
drop _ss_miss
sort `timevars'
generate long _ss_t = _n
tsset _ss_t
var `series', lags(1/`lags')
ss_store_model var, title("VAR(`lags')")
local N = e(N)
vargranger
matrix _ss_g = r(gstats)

* One row per (equation, excluded): each other series in turn, then ALL of them.
clear
local rows = rowsof(_ss_g)
set obs `rows'
generate str32 equation = ""
generate str32 excluded = ""
generate double chi2 = .
generate double df = .
generate double p = .
local i = 0
foreach eq of local series {
    foreach other in `series' ALL {
        if "`other'" != "`eq'" {
            local ++i
            replace equation = "`eq'" in `i'
            replace excluded = "`other'" in `i'
            replace chi2 = _ss_g[`i', 1] in `i'
            replace df = _ss_g[`i', 2] in `i'
            replace p = _ss_g[`i', 3] in `i'
        }
    }
}
generate double lags = `lags'
generate double N = `N'
ss_export_table granger_wald
