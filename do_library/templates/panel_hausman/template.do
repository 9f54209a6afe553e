* Fixed and random effects side by side, and the Hausman test between them.
use "`main_data'", clear
xtset `panelvar' `timevar'
xtreg `depvar' `indepvars', fe
estimates store fe
ss_store_model fe, title("Fixed effects")
xtreg `depvar' `indepvars', re
estimates store re
ss_store_model re, title("Random effects")
hausman fe re
local chi2 = r(chi2)
local df = r(df)
local p = r(p)

keep in 1
keep `depvar'
generate str20 test = "Hausman (fe vs re)"
generate double chi2 = `chi2'
generate double df = `df'
generate double p = `p'
drop `depvar'
ss_export_table hausman
