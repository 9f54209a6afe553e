* 15_strings_dates.do
* Cleaning messy text fields and dates from an admin extract: trimming, case,
* substrings, regular expressions, splitting names, and daily/monthly dates.

clear all
set more off

input str30 name str12 dob str20 city str10 amount
"  smith, JOHN  "   "03/15/1985" "new york"        "1,250.50"
"Doe, jane"         "11/02/1990" "  Chicago "      "980"
"O'BRIEN, Pat"      "07/30/1978" "boston"          "2,100.00"
"lee,  ANNA"        "01/05/2001" "San Francisco"   "n/a"
"garcia, Luis"      "12/24/1969" "new york"        "3,400.75"
"  Nguyen, Minh"    "09/09/1995" "CHICAGO"         "150"
end

* names: trim, split into last and first, proper case
replace name = strtrim(stritrim(name))
gen last  = strproper(strtrim(substr(name, 1, strpos(name, ",") - 1)))
gen first = strproper(strtrim(substr(name, strpos(name, ",") + 1, .)))
split name, parse(",") gen(part)
list name last first part1 part2, clean

* cities: harmonise case and spacing, then encode
replace city = strproper(strtrim(city))
encode city, gen(city_id)
tabulate city_id

* amounts: strip thousands separators, flag non-numeric entries
gen flag_bad = !regexm(amount, "^[0-9,.]+$")
replace amount = subinstr(amount, ",", "", .)
destring amount, replace force
list name amount flag_bad, clean

* dates
gen birth = date(dob, "MDY")
format birth %td
gen birth_month = mofd(birth)
format birth_month %tm
gen byear = year(birth)
gen age_2020 = floor((mdy(1, 1, 2020) - birth)/365.25)
list last birth birth_month byear age_2020, clean

* string built from pieces
gen id = upper(substr(last, 1, 3)) + string(byear) + "-" + string(_n, "%02.0f")
gen initials = substr(first, 1, 1) + substr(last, 1, 1)
list id initials, clean

* word-level operations
gen nwords = wordcount(city)
gen firstword = word(city, 1)
tab firstword
