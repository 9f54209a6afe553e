* Parse the text dates in `var' (order `mask') into the daily date `newvar'.
use "`main_data'", clear
generate double `newvar' = date(`var', "`mask'")
format `newvar' %td
generate `newvar'_year = year(`newvar')
generate `newvar'_quarter = quarter(`newvar')
generate `newvar'_month = month(`newvar')
generate `newvar'_day = day(`newvar')
generate `newvar'_dow = dow(`newvar')
generate str10 `newvar'_iso = string(`newvar', "%tdCCYY-NN-DD") if !missing(`newvar')

count if !missing(`newvar')
local parsed = r(N)
count if missing(`newvar') & `var' != ""
local failed = r(N)
summarize `newvar'
local first = r(min)
local last = r(max)
ss_export_table dated

clear
set obs 1
generate str32 variable = "`var'"
generate str3 mask = "`mask'"
generate double parsed = `parsed'
generate double not_parsed = `failed'
generate str10 first_date = string(`first', "%tdCCYY-NN-DD")
generate str10 last_date = string(`last', "%tdCCYY-NN-DD")
ss_export_table date_parsing
