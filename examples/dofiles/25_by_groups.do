* 25_by_groups.do
* Household roster work: by-group counters, first/last observations, group
* statistics with egen, tags, duplicates, and spells.

clear all
set more off
set seed 246

set obs 400
gen hhid = ceil(_n/4)
gen pno = mod(_n - 1, 4) + 1
drop if runiform() < .2
gen age = cond(pno <= 2, 25 + floor(40*runiform()), floor(18*runiform()))
gen byte female = runiform() < .5
gen earnings = cond(age >= 18, exp(rnormal(10, .8)), 0)

* household size, position, head
bysort hhid: gen hhsize = _N
bysort hhid (age): gen rank_young = _n
bysort hhid (age): gen byte oldest = _n == _N
by hhid: egen hh_earn = total(earnings)
by hhid: egen nkids = total(age < 18)
egen hh_tag = tag(hhid)
egen n_adults = sum(age >= 18), by(hhid)
egen maxage = max(age), by(hhid)
egen hhgroup = group(hhsize nkids)

tab hhsize if hh_tag
summarize hh_earn if hh_tag, detail
display "median household earnings: " %9.0fc r(p50)

* per-capita and shares
gen share = earnings/hh_earn if hh_earn > 0
bysort hhid: egen check = total(share)
assert abs(check - 1) < 1e-6 if hh_earn > 0

* duplicates and identifiers
duplicates report hhid pno
duplicates tag hhid, gen(dup)
isid hhid pno

* running totals and spells within household
sort hhid pno
by hhid: gen cum_earn = sum(earnings)
by hhid: gen byte new_spell = earnings > 0 & (earnings[_n-1] == 0 | _n == 1)
by hhid: gen spell = sum(new_spell)

* household-level file
preserve
keep if hh_tag
keep hhid hhsize hh_earn nkids n_adults maxage
gsort -hh_earn
list in 1/5, noobs
save households, replace
restore

* rank within household
bysort hhid: egen earn_rank = rank(-earnings), unique
list hhid pno earnings earn_rank in 1/12, sepby(hhid)
