* Market model of `ret' on `market', one least-squares fit per unit of `panelvar'.
use "`main_data'", clear
keep if !missing(`ret') & !missing(`market') & !missing(`panelvar')

* Per-unit least squares from centred moments: beta = Sxy / Sxx, alpha = ybar - beta * xbar.
egen double _ss_n = count(`ret'), by(`panelvar')
egen double _ss_xbar = mean(`market'), by(`panelvar')
egen double _ss_ybar = mean(`ret'), by(`panelvar')
generate double _ss_dx = `market' - _ss_xbar
generate double _ss_dy = `ret' - _ss_ybar
generate double _ss_xy = _ss_dx * _ss_dy
generate double _ss_xx = _ss_dx^2
generate double _ss_yy = _ss_dy^2
egen double _ss_sxy = total(_ss_xy), by(`panelvar')
egen double _ss_sxx = total(_ss_xx), by(`panelvar')
egen double _ss_syy = total(_ss_yy), by(`panelvar')
generate double beta = _ss_sxy / _ss_sxx
generate double alpha = _ss_ybar - beta * _ss_xbar
generate double _ss_e2 = (_ss_dy - beta * _ss_dx)^2
egen double _ss_rss = total(_ss_e2), by(`panelvar')

egen byte _ss_first = tag(`panelvar')
keep if _ss_first == 1
generate double n = _ss_n
generate double rmse = sqrt(_ss_rss / (n - 2))
generate double se_beta = rmse / sqrt(_ss_sxx)
generate double se_alpha = rmse * sqrt(1 / n + _ss_xbar^2 / _ss_sxx)
generate double t_beta = beta / se_beta
generate double p_beta = 2 * ttail(n - 2, abs(t_beta))
generate double r2 = 1 - _ss_rss / _ss_syy
keep `panelvar' n alpha se_alpha beta se_beta t_beta p_beta r2 rmse
order `panelvar' n alpha se_alpha beta se_beta t_beta p_beta r2 rmse
sort `panelvar'
ss_export_table betas
