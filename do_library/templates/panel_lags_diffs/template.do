* Lags, a lead and the first difference of `vars' within `panelvar' over `timevar'.
use "`main_data'", clear
xtset `panelvar' `timevar'
foreach v of local vars {
    forvalues k = 1/`lags' {
        generate double L`k'_`v' = L`k'.`v'
    }
    generate double F1_`v' = F.`v'
    generate double D_`v' = D.`v'
}
sort `panelvar' `timevar'
ss_export_table panel_transformed
