*! ss_collect_estimates 1.0.0  SS result helper: a do-file's stored estimates into results/
*! Runs after a client's own do-file (docs/dofiles.md): every result the do-file stored with
*! estimates store (or eststo), in the order stored, else the active one as model "active",
*! goes to results/ through ss_store_model. Nothing happens when the do-file wrote
*! results/coefficients.csv itself. The embedded engine implements the same command natively.
program define ss_collect_estimates
    version 14
    syntax [, Level(cilevel)]
    capture confirm file "results/coefficients.csv"
    if !_rc {
        display as text "(results/ already holds models: nothing collected)"
        exit
    }
    quietly estimates dir
    local names `r(names)'
    if `"`names'"' == "" {
        if "`e(cmd)'" == "" {
            display as text "(0 estimation results collected into results/)"
            exit
        }
        ss_store_model active, title("active") level(`level')
        display as text "(1 estimation result collected into results/)"
        exit
    }
    * the active results come back when this program ends
    tempname active
    capture _estimates hold `active', restore
    local collected 0
    foreach name of local names {
        quietly estimates restore `name'
        capture noisily ss_store_model `name', title("`name'") level(`level')
        if _rc {
            display as text "(`name' not collected)"
        }
        else {
            local ++collected
        }
    }
    display as text "(`collected' estimation results collected into results/)"
end
