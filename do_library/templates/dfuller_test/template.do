* Augmented Dickey-Fuller tests of `series' in levels and in first differences.
use "`main_data'", clear
keep if !missing(`series')
sort `timevars'
generate long _ss_t = _n
tsset _ss_t
* Levels take the chosen deterministic terms; differences a constant (a trend in the level
* is a constant in the difference), or none when the levels have none.
local level_opt ""
local diff_opt ""
if "`deterministic'" == "trend" {
    local level_opt "trend"
}
if "`deterministic'" == "none" {
    local level_opt "noconstant"
    local diff_opt "noconstant"
}
dfuller `series', lags(`lags') `level_opt' regress
foreach s in Zt p cv1 cv5 cv10 N {
    local l_`s' = r(`s')
}
dfuller D.`series', lags(`lags') `diff_opt'
foreach s in Zt p cv1 cv5 cv10 N {
    local d_`s' = r(`s')
}

clear
set obs 2
generate str10 form = cond(_n == 1, "level", "difference")
generate str10 deterministic = cond(_n == 1, "`deterministic'", cond("`deterministic'" == "none", "none", "constant"))
generate double lags = `lags'
generate double N = cond(_n == 1, `l_N', `d_N')
generate double Zt = cond(_n == 1, `l_Zt', `d_Zt')
generate double cv1 = cond(_n == 1, `l_cv1', `d_cv1')
generate double cv5 = cond(_n == 1, `l_cv5', `d_cv5')
generate double cv10 = cond(_n == 1, `l_cv10', `d_cv10')
generate double p = cond(_n == 1, `l_p', `d_p')
ss_export_table dfuller
