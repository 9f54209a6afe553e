* Aggregate `vars' to the `period' of `datevar' (within `by' when given) with (`stat').
use "`main_data'", clear
keep if !missing(`datevar')
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
sort `by' period `datevar'
generate byte _ss_one = 1
collapse (`stat') `vars' (sum) days = _ss_one, by(`by' period)
generate str8 period_text = string(period, "`fmt'")
order `by' period period_text days
ss_export_table by_period
