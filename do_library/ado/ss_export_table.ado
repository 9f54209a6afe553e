*! ss_export_table 1.0.0  SS result helper: write results/<name>.csv from the data in memory
*! Shape in docs/results.md: header row of variable names, one row per observation, value
*! labels written as their text, missing values as empty fields, numbers at full precision.
*! The embedded engine implements the same command natively.
program define ss_export_table
    version 14
    syntax name(name=table) [varlist(default=none)] [if] [in]
    if "`varlist'" == "" {
        unab varlist : _all
    }
    marksample touse, novarlist
    capture mkdir results
    tempname fh
    file open `fh' using "results/`table'.csv", write replace text
    local header ""
    foreach v of local varlist {
        local header "`header',`v'"
    }
    file write `fh' `"`=substr("`header'", 2, .)'"' _n
    local rows 0
    forvalues i = 1/`=_N' {
        if !`touse'[`i'] {
            continue
        }
        local line ""
        foreach v of local varlist {
            capture confirm string variable `v'
            if !_rc {
                local text = `v'[`i']
            }
            else {
                local value = `v'[`i']
                local vl : value label `v'
                local text ""
                if "`vl'" != "" & !missing(`value') {
                    local text : label `vl' `value', strict
                }
                if `"`text'"' == "" {
                    _ss_table_num `value'
                    local text `"`r(text)'"'
                }
            }
            _ss_table_field `"`text'"'
            local line `"`line',`r(field)'"'
        }
        file write `fh' `"`=substr(`"`line'"', 2, .)'"' _n
        local ++rows
    }
    file close `fh'
    local ncol : word count `varlist'
    display as text "(results/`table'.csv: `ncol' columns, `rows' rows)"
end

program define _ss_table_num, rclass
    args value
    if missing(`value') {
        return local text ""
        exit
    }
    local text = strtrim(string(`value', "%21.0g"))
    if substr("`text'", 1, 1) == "." {
        local text "0`text'"
    }
    if substr("`text'", 1, 2) == "-." {
        local text = "-0" + substr("`text'", 2, .)
    }
    return local text "`text'"
end

program define _ss_table_field, rclass
    args text
    if strpos(`"`text'"', ",") | strpos(`"`text'"', `"""') | strpos(`"`text'"', char(10)) {
        local text = `"""' + subinstr(`"`text'"', `"""', `""""', .) + `"""'
    }
    return local field `"`text'"'
end
