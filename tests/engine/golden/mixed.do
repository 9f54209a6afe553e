* Mixed do-file: the log must read like Stata's batch log
version 17
set more off
clear

input str8 name byte grp double wage
"Ann" 1 10.5
"Bob" 1 12
"Cy"  2 .
"Dee" 2 20
end

label variable wage "Hourly wage"
label define grplbl 1 "North" 2 "South"
label values grp grplbl

/* derived variables */
generate lwage = ln(wage)
replace wage = 15 if name == "Cy"
count if wage > 11
display "mean of 10.5 12 15 20 = " %6.3f (10.5 + 12 + 15 + 20) / 4

local vars wage lwage
foreach v of local vars {
    quietly count if missing(`v')
    display "`v': " r(N) " missing"
}

bysort grp: egen double top = max(wage)
list name grp wage top, sepby(grp)

preserve
collapse (mean) wage (count) n=wage, by(grp)
list
restore

capture noisily confirm variable salary
display "rc = " _rc
summarize_missing_command wage
display "not reached"
