* Skewness, kurtosis and the Shapiro-Wilk test for each variable.
use "`main_data'", clear
tempfile table
local i 0
foreach v of local vars {
    local i = `i' + 1
    summarize `v', detail
    local n = r(N)
    local skew = r(skewness)
    local kurt = r(kurtosis)
    swilk `v'
    local W = r(W)
    local V = r(V)
    local z = r(z)
    local p = r(p)
    preserve
    keep in 1
    keep `v'
    rename `v' _ss_x
    generate int _ss_row = `i'
    generate str32 variable = "`v'"
    generate double n = `n'
    generate double skewness = `skew'
    generate double kurtosis = `kurt'
    generate double W = `W'
    generate double V = `V'
    generate double z = `z'
    generate double p = `p'
    drop _ss_x
    if `i' > 1 {
        append using `table'
    }
    save `table', replace
    restore
}
use `table', clear
sort _ss_row
drop _ss_row
ss_export_table normality
