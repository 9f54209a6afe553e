* Intraclass correlation of the measurements in `ratings' of each `target' (icc).
use "`main_data'", clear
keep `target' `ratings'
foreach v of varlist `ratings' {
    drop if missing(`v')
}
drop if missing(`target')
local k 0
foreach v of varlist `ratings' {
    local ++k
    rename `v' ss_rating`k'
}
reshape long ss_rating, i(`target') j(ss_rater)
local opts "level(`level')"
if "`model'" == "oneway" {
    icc ss_rating `target', `opts'
}
else {
    if "`model'" == "mixed" {
        local opts "`opts' mixed"
    }
    icc ss_rating `target' ss_rater, `opts' `agreement'
}
tempname rows
tempfile table
postfile `rows' str10 unit str24 model str12 agreement double(n_targets n_raters icc ci_lo ci_hi F df1 df2 p) using `table'
local type = cond("`model'" == "oneway", "consistency", "`agreement'")
foreach u in i avg {
    local label = cond("`u'" == "i", "individual", "average")
    post `rows' ("`label'") ("`r(model)'") ("`type'") (r(N_target)) (r(N_rater)) (r(icc_`u')) (r(icc_`u'_lb)) (r(icc_`u'_ub)) (r(icc_`u'_F)) (r(icc_`u'_df1)) (r(icc_`u'_df2)) (r(icc_`u'_p))
}
postclose `rows'
use `table', clear
ss_export_table icc
