* Break-date search: Chow F of a break in every coefficient of `depvar' on `indepvars' at each date of the trimmed range.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars')
keep if _ss_miss == 0
drop _ss_miss
sort `timevars'
generate long _ss_t = _n
local n = _N
local k : word count `indepvars'
local k = `k' + 1
* Candidate first periods of the second regime: ceil(trim·N) observations kept at each end,
* as estat sbsingle places them (trim in whole percent).
local trimpct = round(100 * `trim')
local keep = ceil(`trimpct' / 100 * `n')
local first = `keep' + 1
local last = `n' - `keep' + 1
if `keep' < `k' + 1 {
    display as error "too few observations for this trimming"
    exit 2001
}
tempname rows
tempfile fseq
postfile `rows' double(break_obs F rss) using `fseq'
forvalues b = `first'/`last' {
    generate byte _ss_after = (_ss_t >= `b')
    local shifts "_ss_after"
    local j = 0
    foreach x of varlist `indepvars' {
        local ++j
        generate double _ss_ax`j' = _ss_after * `x'
        local shifts "`shifts' _ss_ax`j'"
    }
    regress `depvar' `indepvars' `shifts'
    local rss = e(rss)
    test `shifts'
    post `rows' (`b') (r(F)) (`rss')
    drop _ss_after _ss_ax*
}
postclose `rows'

* Andrews' sup-Wald test (k times the largest F) with Hansen's (1997) p-value, and the
* least-squares break date (the candidate with the largest F)
tsset _ss_t
regress `depvar' `indepvars'
estat sbsingle, trim(`trimpct')
local supW = r(chi2)
local p_supW = r(p)
local best = real("`r(breakdate)'")
preserve
use `fseq', clear
summarize F, meanonly
local supF = r(max)
restore
regress `depvar' `indepvars' if _ss_t < `best'
ss_store_model before, title("Before the estimated break")
regress `depvar' `indepvars' if _ss_t >= `best'
ss_store_model after, title("From the estimated break on")

* Dates of each candidate: the time variables of its first observation of the second regime.
keep _ss_t `timevars'
rename _ss_t break_obs
tempfile dates
save `dates'
use `fseq', clear
merge 1:1 break_obs using `dates', keep(match) nogenerate
sort break_obs
generate double df1 = `k'
generate double df2 = `n' - 2 * `k'
generate byte best = (break_obs == `best')
ss_export_table f_sequence
twoway line F break_obs, xline(`best') ytitle("Chow F") xtitle("First observation of the second regime") title("Break-date search (sup F = `: display %4.2f `supF'')")
graph export results/f_sequence.png, replace
keep if best
generate double N = `n'
generate double trim = `trimpct' / 100
rename F sup_F
generate double sup_wald = `supW'
generate double p_value = `p_supW'
drop best rss
ss_export_table break_date
