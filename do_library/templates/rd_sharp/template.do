* Sharp RD: jump of `depvar' at `running' = `cutoff', local linear within `bandwidth'.
use "`main_data'", clear
keep if !missing(`depvar') & !missing(`running')
generate double _ss_x = `running' - `cutoff'
generate byte above = (_ss_x >= 0)

* Binned means over the whole range (bins of a tenth of the bandwidth) for the plot.
preserve
generate double bin = floor(_ss_x / (`bandwidth' / 10))
collapse (mean) running_mean = `running' outcome_mean = `depvar' (count) n = `depvar', by(bin above)
ss_export_table rd_bins
restore

keep if abs(_ss_x) <= `bandwidth'
generate double _ss_w = 1
if "`kernel'" == "triangular" {
    replace _ss_w = 1 - abs(_ss_x) / `bandwidth'
}
count if above == 0 & _ss_w > 0
local n_left = r(N)
count if above == 1 & _ss_w > 0
local n_right = r(N)
rename _ss_x distance
regress `depvar' i.above##c.distance [aweight = _ss_w] if _ss_w > 0, vce(robust)
ss_store_model rd, title("Local linear RD (`kernel', h = `bandwidth')")
local b = _b[1.above]
local se = _se[1.above]
local df = e(df_r)

clear
set obs 1
generate double cutoff = `cutoff'
generate double bandwidth = `bandwidth'
generate str10 kernel = "`kernel'"
generate double n_left = `n_left'
generate double n_right = `n_right'
generate double estimate = `b'
generate double se = `se'
generate double t = estimate / se
generate double p = 2 * ttail(`df', abs(t))
generate double ci_lo = estimate - invttail(`df', 0.025) * se
generate double ci_hi = estimate + invttail(`df', 0.025) * se
ss_export_table rd_estimate
