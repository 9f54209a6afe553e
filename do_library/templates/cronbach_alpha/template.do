* Cronbach's alpha of the scale summed from `items' (complete responses only).
use "`main_data'", clear
egen _ss_miss = rowmiss(`items')
keep if _ss_miss == 0
local k : word count `items'
local n = _N

* alpha = k / (k - 1) * (1 - sum of item variances / variance of the total)
local sumvar 0
foreach v of local items {
    summarize `v'
    local sumvar = `sumvar' + r(Var)
}
egen double _ss_total = rowtotal(`items')
summarize _ss_total
local alpha = `k' / (`k' - 1) * (1 - `sumvar' / r(Var))

* Standardised alpha from the mean inter-item correlation.
local sumr 0
forvalues i = 1/`=`k' - 1' {
    forvalues j = `=`i' + 1'/`k' {
        local a : word `i' of `items'
        local b : word `j' of `items'
        correlate `a' `b'
        local sumr = `sumr' + r(rho)
    }
}
local rbar = `sumr' / (`k' * (`k' - 1) / 2)
local alpha_std = `k' * `rbar' / (1 + (`k' - 1) * `rbar')

* Per item: item-rest correlation and alpha without the item.
tempfile table
local row 0
foreach v of local items {
    local row = `row' + 1
    generate double _ss_rest = _ss_total - `v'
    correlate `v' _ss_rest
    local r_rest = r(rho)
    summarize _ss_rest
    local var_rest = r(Var)
    summarize `v'
    local m = r(mean)
    local s = r(sd)
    local alpha_wo = (`k' - 1) / (`k' - 2) * (1 - (`sumvar' - r(Var)) / `var_rest')
    drop _ss_rest
    preserve
    clear
    set obs 1
    generate int _ss_row = `row'
    generate str32 item = "`v'"
    generate double mean = `m'
    generate double sd = `s'
    generate double item_rest_corr = `r_rest'
    generate double alpha_without = `alpha_wo'
    if `row' > 1 {
        append using `table'
    }
    save `table', replace
    restore
}

clear
set obs 1
generate double items = `k'
generate double n = `n'
generate double alpha = `alpha'
generate double alpha_standardized = `alpha_std'
generate double mean_interitem_corr = `rbar'
ss_export_table alpha
use `table', clear
sort _ss_row
drop _ss_row
ss_export_table alpha_items
