* Encode the text variables `vars' into labelled numeric codes <var>`suffix'.
use "`main_data'", clear
foreach v of local vars {
    encode `v', generate(`v'`suffix')
}
ss_export_table encoded

tempfile codes
local first = 1
foreach v of local vars {
    preserve
    keep if !missing(`v'`suffix')
    contract `v' `v'`suffix', freq(n)
    rename `v' text
    * the number itself, not its label, in the codes table
    generate long code = `v'`suffix'
    generate str32 variable = "`v'"
    keep variable code text n
    order variable code text n
    if !`first' {
        append using `codes'
    }
    save `codes', replace
    local first = 0
    restore
}
use `codes', clear
sort variable code
ss_export_table codes
