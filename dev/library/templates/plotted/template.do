* Platform test template: graphs drawn, exported and declared.
use "`main_data'", clear
scatter `yvar' `xvar', title("Scatter")
twoway (scatter `yvar' `xvar') (lfit `yvar' `xvar'), title("Fit")
graph export results/fit.png, replace
histogram `xvar', name(hist) nodraw
graph export hist.svg, name(hist)
