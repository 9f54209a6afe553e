* Compound the simple returns `ret' to `period' returns (by `panelvar' when given).
use "`main_data'", clear
keep if !missing(`datevar') & !missing(`ret')
if "`period'" == "week" {
    generate long period = wofd(`datevar')
    local fmt "%tw"
}
if "`period'" == "month" {
    generate long period = mofd(`datevar')
    local fmt "%tm"
}
if "`period'" == "quarter" {
    generate long period = qofd(`datevar')
    local fmt "%tq"
}
if "`period'" == "year" {
    generate long period = year(`datevar')
    local fmt "%ty"
}
generate double log_return = ln(1 + `ret')
generate byte _ss_one = 1
collapse (sum) log_return days = _ss_one (min) first_date = `datevar' (max) last_date = `datevar', by(`panelvar' period)
generate double return = exp(log_return) - 1
generate str8 period_text = string(period, "`fmt'")
format first_date last_date %td
order `panelvar' period period_text days first_date last_date return log_return
ss_export_table period_returns
