* Local polynomial smooth of `yvar' on `xvar' (degree `degree', `kernel' kernel, h = `bandwidth').
use "`main_data'", clear
keep if !missing(`yvar') & !missing(`xvar')
lpoly `yvar' `xvar', degree(`degree') kernel(`kernel') bwidth(`bandwidth') n(`points') generate(_ss_x _ss_s) nograph
local N = r(N)
twoway (scatter `yvar' `xvar', msize(small)) (line _ss_s _ss_x), ///
    title("Local polynomial smooth") ytitle("`yvar'") xtitle("`xvar'") ///
    legend(order(1 "Observed" 2 "Smooth (degree `degree', h = `bandwidth')"))
graph export results/smooth.png, replace
keep if !missing(_ss_x)
keep _ss_x _ss_s
rename _ss_x x
rename _ss_s smooth
generate double N = `N'
ss_export_table smooth
