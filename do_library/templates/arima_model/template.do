* ARIMA(`p',`d',`q') of `series' by exact maximum likelihood (Kalman filter).
use "`main_data'", clear
keep if !missing(`series')
sort `timevars'
generate long _ss_t = _n
tsset _ss_t
local cons ""
if !`constant' {
    local cons "noconstant"
}
arima `series', arima(`p',`d',`q') vce(`vce') `cons'
ss_store_model arima, title("ARIMA(`p',`d',`q')")
