* Event study: market model on days `est_start'..`est_end', abnormal returns on `win_start'..`win_end'.
use "`main_data'", clear
if `est_end' >= `win_start' | `est_start' >= `est_end' {
    display as error "the estimation window must end before the event window starts"
    exit 198
}
keep if !missing(`ret') & !missing(`market') & !missing(`timevar') & !missing(`panelvar')
sort `panelvar' `timevar'
by `panelvar': generate long _ss_day = _n
generate long _ss_e = _ss_day if `eventvar' == 1
egen long _ss_event = min(_ss_e), by(`panelvar')
keep if !missing(_ss_event)
generate long rel_day = _ss_day - _ss_event
generate double abnormal = .
generate double alpha = .
generate double beta = .
generate double rmse = .
generate double n_est = .

levelsof `panelvar', local(units)
foreach u of local units {
    regress `ret' `market' if `panelvar' == `u' & inrange(rel_day, `est_start', `est_end')
    replace abnormal = `ret' - (_b[_cons] + _b[`market'] * `market') if `panelvar' == `u'
    replace alpha = _b[_cons] if `panelvar' == `u'
    replace beta = _b[`market'] if `panelvar' == `u'
    replace rmse = e(rmse) if `panelvar' == `u'
    replace n_est = e(N) if `panelvar' == `u'
}
keep if inrange(rel_day, `win_start', `win_end')

preserve
collapse (mean) aar = abnormal (count) n = abnormal, by(rel_day)
generate double caar = sum(aar)
ss_export_table abnormal_returns
restore

generate double _ss_eday = `timevar' if rel_day == 0
collapse (sum) car = abnormal (count) days = abnormal (max) event_day = _ss_eday (first) alpha beta rmse n_est, by(`panelvar')
ss_export_table car_by_event
summarize car
local n = r(N)
local m = r(mean)
local s = r(sd)

clear
set obs 1
generate double events = `n'
generate double window_start = `win_start'
generate double window_end = `win_end'
generate double mean_car = `m'
generate double sd_car = `s'
generate double t = mean_car / (sd_car / sqrt(events))
generate double p = 2 * ttail(events - 1, abs(t))
ss_export_table car_test
