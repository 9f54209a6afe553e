* 05_merge_reshape.do
* Building an analysis file from three sources: a firm register, yearly sales
* in wide format, and an industry lookup table.

clear all
set more off
set seed 555

tempfile industries register sales

* industry lookup (m:1 target)
input byte sic str24 industry
1 "Agriculture"
2 "Manufacturing"
3 "Retail"
4 "Services"
end
label variable industry "Industry name"
save `industries'

* firm register
clear
set obs 250
gen firm = _n
gen byte sic = 1 + floor(4*runiform())
gen founded = 1950 + floor(60*runiform())
save `register'

* sales in wide format, one column per year, with some firms missing
clear
set obs 240
gen firm = _n + 5                       // firms 6-245; 1-5 never report
forvalues y = 2015/2019 {
    gen sales`y' = exp(rnormal(5 + .03*(`y' - 2015), 1))
}
save `sales'

* ----- merges -------------------------------------------------------------
use `register', clear
merge m:1 sic using `industries'
tab _merge
assert _merge == 3
drop _merge

merge 1:1 firm using `sales'
tab _merge
count if _merge == 1
display r(N) " firms never reported sales"
count if _merge == 2
display r(N) " sales records have no register entry"
keep if _merge == 3
drop _merge

* ----- reshape to a firm-year panel ---------------------------------------
reshape long sales, i(firm) j(year)
label variable sales "Sales (thousand USD)"
gen lnsales = ln(sales)
bysort firm (year): gen growth = lnsales - lnsales[_n-1]
summarize growth

* averages by industry and year, then back to wide for the report table
preserve
collapse (mean) lnsales growth (count) nfirms = firm, by(industry year)
reshape wide lnsales growth nfirms, i(industry) j(year)
list industry lnsales2015 lnsales2019 nfirms2019, noobs abbreviate(12)
export delimited using industry_by_year.csv, replace
restore

* ----- append a late-arriving batch ---------------------------------------
preserve
clear
set obs 20
gen firm = 300 + _n
gen year = 2019
gen sales = exp(rnormal(5.2, 1))
gen industry = "Services"
tempfile late
save `late'
restore
append using `late'
count
duplicates report firm year
isid firm year
save firm_panel, replace
