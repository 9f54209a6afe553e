* Generalized linear model of `depvar' on `indepvars': family `family', link `link'.
use "`main_data'", clear
egen _ss_miss = rowmiss(`depvar' `indepvars' `trials')
keep if _ss_miss == 0
drop _ss_miss
local fam "`family'"
if "`family'" == "binomial" & "`trials'" != "" {
    local fam "binomial `trials'"
}
local link_opt ""
if "`link'" != "canonical" {
    local link_opt "link(`link')"
}
glm `depvar' `indepvars', family(`fam') `link_opt' vce(`vce')
ss_store_model glm, title("GLM: `family' family, `link' link")
local N = e(N)
local dev = e(deviance)
local dev_df = e(deviance_df)
local pearson = e(deviance_p)
local phi = e(phi)
local df = e(df)
local ll = e(ll)
clear
set obs 1
generate str10 family = "`family'"
generate str10 link = "`link'"
generate double N = `N'
generate double deviance = `dev'
generate double pearson_chi2 = `pearson'
generate double df = `df'
generate double deviance_per_df = deviance / df
generate double pearson_per_df = pearson_chi2 / df
generate double scale = `phi'
generate double ll = `ll'
ss_export_table fit
