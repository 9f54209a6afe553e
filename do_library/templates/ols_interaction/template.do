* Linear regression of `depvar' on `focal' interacted with `moderator', robust standard errors.
use "`main_data'", clear
local mod "i.`moderator'"
if "`moderator_kind'" == "continuous" {
    local mod "c.`moderator'"
}
regress `depvar' c.`focal'##`mod' `controls', vce(robust) level(`level')
ss_store_model interaction, title("OLS with interaction `focal' x `moderator'") level(`level')
