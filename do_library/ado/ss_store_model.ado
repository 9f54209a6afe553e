*! ss_store_model 1.0.0  SS result helper: coefficients, model statistics, model list
*! Writes results/coefficients.csv, results/model_stats.csv and results/models.csv in the
*! shapes of docs/results.md; the embedded engine implements the same command natively.
program define ss_store_model
    version 14
    syntax name(name=model) [, TItle(string) Level(cilevel)]
    if "`e(cmd)'" == "" {
        error 301
    }
    if `"`title'"' == "" {
        local title "`e(cmd)'"
    }
    capture mkdir results

    tempname b V omit fh
    matrix `b' = e(b)
    matrix `V' = e(V)
    _ms_omit_info `b'
    matrix `omit' = r(omit)
    local terms : colfullnames `b'
    local k = colsof(`b')
    tempname crit
    local df_r = e(df_r)
    if missing(`df_r') {
        local stype "z"
        scalar `crit' = invnormal(1 - (100 - `level') / 200)
    }
    else {
        local stype "t"
        scalar `crit' = invttail(`df_r', (100 - `level') / 200)
    }

    * -- coefficients.csv ----------------------------------------------------------------
    _ss_open `fh' "results/coefficients.csv" ///
        "model,term,label,coef,se,stat,stat_type,p,ci_lo,ci_hi,omitted"
    * numbers go through scalars, not macros, to keep every digit
    tempname coef se stat p lo hi
    forvalues j = 1/`k' {
        local term : word `j' of `terms'
        scalar `coef' = `b'[1, `j']
        local om = `omit'[1, `j']
        local label ""
        _ms_parse_parts `term'
        if "`r(type)'" == "variable" | "`r(type)'" == "factor" {
            capture local label : variable label `r(name)'
        }
        if `om' {
            foreach v in se stat p lo hi {
                scalar ``v'' = .
            }
        }
        else {
            scalar `se' = sqrt(`V'[`j', `j'])
            scalar `stat' = `coef' / `se'
            if "`stype'" == "t" {
                scalar `p' = 2 * ttail(`df_r', abs(`stat'))
            }
            else {
                scalar `p' = 2 * normal(-abs(`stat'))
            }
            scalar `lo' = `coef' - `crit' * `se'
            scalar `hi' = `coef' + `crit' * `se'
        }
        _ss_field `"`model'"'
        local line `"`r(field)'"'
        _ss_field `"`term'"'
        local line `"`line',`r(field)'"'
        _ss_field `"`label'"'
        local line `"`line',`r(field)'"'
        foreach v in coef se stat {
            _ss_num ``v''
            local line `"`line',`r(text)'"'
        }
        local line `"`line',`stype'"'
        foreach v in p lo hi {
            _ss_num ``v''
            local line `"`line',`r(text)'"'
        }
        local line `"`line',`om'"'
        file write `fh' `"`line'"' _n
    }
    file close `fh'

    * -- model_stats.csv -----------------------------------------------------------------
    _ss_open `fh' "results/model_stats.csv" "model,stat,value"
    tempname pval aic bic value
    scalar `pval' = e(p)
    if missing(`pval') & !missing(e(F)) & !missing(e(df_m)) & !missing(e(df_r)) {
        scalar `pval' = Ftail(e(df_m), e(df_r), e(F))
    }
    scalar `aic' = .
    scalar `bic' = .
    if !missing(e(ll)) & !missing(e(rank)) & !missing(e(N)) {
        scalar `aic' = -2 * e(ll) + 2 * e(rank)
        scalar `bic' = -2 * e(ll) + ln(e(N)) * e(rank)
    }
    _ss_field `"`model'"'
    local field `"`r(field)'"'
    foreach s in N r2 r2_a F df_m df_r p chi2 ll ll_0 r2_p rmse N_clust N_g ///
                 r2_w r2_b r2_o sigma_u sigma_e rho aic bic level {
        if "`s'" == "p" {
            scalar `value' = `pval'
        }
        else if "`s'" == "aic" | "`s'" == "bic" {
            scalar `value' = ``s''
        }
        else if "`s'" == "level" {
            scalar `value' = `level'
        }
        else {
            scalar `value' = e(`s')
        }
        if !missing(`value') {
            _ss_num `value'
            file write `fh' `"`field',`s',`r(text)'"' _n
        }
    }
    file close `fh'

    * -- models.csv ----------------------------------------------------------------------
    _ss_open `fh' "results/models.csv" "model,title,cmd,depvar,vce,vcetype,clustvar"
    local line ""
    foreach v in model title {
        _ss_field `"``v''"'
        local line `"`line'`r(field)',"'
    }
    foreach v in cmd depvar vce vcetype clustvar {
        _ss_field `"`e(`v')'"'
        local line `"`line'`r(field)',"'
    }
    local line = substr(`"`line'"', 1, strlen(`"`line'"') - 1)
    file write `fh' `"`line'"' _n
    file close `fh'
    display as text "(model `model' stored)"
end

* Open a results CSV for appending; write the header when the file is new.
program define _ss_open
    args handle path header
    capture confirm file "`path'"
    local isnew = _rc != 0
    file open `handle' using "`path'", write append text
    if `isnew' {
        file write `handle' "`header'" _n
    }
end

* A number (a scalar name or a literal) at full precision (%21.0g), empty when missing;
* 0.5 is written 0.5, not .5.
program define _ss_num, rclass
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

* A CSV field with minimal quoting: quoted (quotes doubled) only when it holds a comma,
* a double quote or a line break.
program define _ss_field, rclass
    args text
    if strpos(`"`text'"', ",") | strpos(`"`text'"', `"""') | strpos(`"`text'"', char(10)) {
        local text = `"""' + subinstr(`"`text'"', `"""', `""""', .) + `"""'
    }
    return local field `"`text'"'
end
