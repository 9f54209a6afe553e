* Clean the text variables `vars': blanks trimmed and collapsed, case set to `case'.
use "`main_data'", clear
tempfile table
preserve
clear
generate str32 variable = ""
generate str1 original = ""
generate str1 cleaned = ""
generate double n = .
save `table', emptyok
restore

foreach v of local vars {
    generate _ss_new = stritrim(strtrim(`v'))
    if "`case'" == "lower" {
        replace _ss_new = strlower(_ss_new)
    }
    if "`case'" == "upper" {
        replace _ss_new = strupper(_ss_new)
    }
    if "`case'" == "proper" {
        replace _ss_new = strproper(_ss_new)
    }
    count if _ss_new != `v'
    if r(N) > 0 {
        preserve
        keep if _ss_new != `v'
        generate byte _ss_one = 1
        collapse (sum) n = _ss_one, by(`v' _ss_new)
        rename `v' original
        rename _ss_new cleaned
        generate str32 variable = "`v'"
        append using `table'
        save `table', replace
        restore
    }
    replace `v' = _ss_new
    drop _ss_new
}
ss_export_table cleaned
use `table', clear
sort variable original
order variable original cleaned n
ss_export_table string_changes
