* Phillips-Perron tests of `series' in levels and in first differences.
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
local lag_opt ""
if "`lags'" != "" {
    local lag_opt "lags(`lags')"
}
pperron `series', `lag_opt' `level_opt' regress
foreach s in Zrho Zt pval N lags {
    local l_`s' = r(`s')
}
pperron D.`series', `lag_opt' `diff_opt'
foreach s in Zrho Zt pval N lags {
    local d_`s' = r(`s')
}

clear
set obs 2
generate str10 form = cond(_n == 1, "level", "difference")
generate str10 deterministic = cond(_n == 1, "`deterministic'", cond("`deterministic'" == "none", "none", "constant"))
generate double nw_lags = cond(_n == 1, `l_lags', `d_lags')
generate double N = cond(_n == 1, `l_N', `d_N')
generate double Zrho = cond(_n == 1, `l_Zrho', `d_Zrho')
generate double Zt = cond(_n == 1, `l_Zt', `d_Zt')
generate double p = cond(_n == 1, `l_pval', `d_pval')
ss_export_table pperron
