* Linear regression (OLS) with classical standard errors.
use "`main_data'", clear
if "`title'" == "" {
    local title "OLS"
}
regress `depvar' `indepvars', level(`level')
ss_store_model ols, title("`title'") level(`level')
