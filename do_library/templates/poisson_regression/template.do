* Poisson regression, optionally with exposure, robust standard errors by default.
use "`main_data'", clear
local expopt ""
if "`exposure'" != "" {
    local expopt "exposure(`exposure')"
}
poisson `depvar' `indepvars', `expopt' vce(`vce')
ss_store_model poisson, title("Poisson regression")
