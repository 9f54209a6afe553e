* VAR(`lags') of `series' with orthogonalised impulse responses (Cholesky, variables' order).
use "`main_data'", clear
egen _ss_miss = rowmiss(`series')
keep if _ss_miss == 0
drop _ss_miss
sort `timevars'
generate long _ss_t = _n
tsset _ss_t
var `series', lags(1/`lags')
ss_store_model var, title("VAR(`lags')")
local z = invnormal(1 - (100 - `level') / 200)
irf set _ss_var.irf, replace
irf create var, step(`steps') replace
use _ss_var.irf, clear
keep impulse response step oirf stdoirf fevd stdfevd
generate double oirf_lo = oirf - `z' * stdoirf
generate double oirf_hi = oirf + `z' * stdoirf
order impulse response step oirf stdoirf oirf_lo oirf_hi fevd stdfevd
sort impulse response step
ss_export_table irf
twoway (rarea oirf_lo oirf_hi step, color(gs13)) (line oirf step), by(impulse response, title("Orthogonalised impulse responses (impulse, response)")) yline(0) xtitle("Step") ytitle("Response") legend(off)
graph export results/irf.png, replace
erase _ss_var.irf
