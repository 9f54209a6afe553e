* 20_append_yearly_files.do
* A panel assembled from one file per survey wave: write the waves, append them
* in a loop, fill the gaps, and build lags within person.

clear all
set more off
set seed 8642

* write five waves; people drop in and out
forvalues w = 1/5 {
    clear
    set obs 300
    gen pid = _n
    drop if runiform() < .15
    gen wave = `w'
    gen income = exp(rnormal(10 + .02*`w', .5))
    gen byte employed = runiform() < .8
    save wave`w', replace
}

* append them
use wave1, clear
forvalues w = 2/5 {
    append using wave`w'
}
erase wave1.dta
forvalues w = 2/5 {
    erase wave`w'.dta
}
sort pid wave
count
tab wave

* balanced skeleton: every person in every wave
fillin pid wave
tab _fillin
xtset pid wave
xtdescribe

* lags within person (missing across gaps)
gen lninc = ln(income)
gen dlninc = D.lninc
gen lag_emp = L.employed
by pid: gen nwaves = sum(!_fillin)
by pid: replace nwaves = nwaves[_N]
tab nwaves if wave == 1

* keep people seen in every wave
keep if nwaves == 5
drop _fillin
xtset
xtreg lninc employed, fe
contract wave employed
list
