#delimit;
* 24_legacy_style.do ;
* An older do-file in the style of the 2000s: semicolon delimiter, abbreviations,
* the for command, set mem, and xi. ;

version 10;
clear;
set mem 100m;
set more off;
set seed 1010;

set obs 600;
g id = _n;
g yr = 1990 + mod(_n, 6);
g x1 = uniform();
g x2 = invnorm(uniform());
g x3 = x1 + x2 + invnorm(uniform());
g y = 1 + 2*x1 - x2 + .5*x3 + invnorm(uniform());
g ind = 1 + mod(id, 7);

for var x1 x2 x3: g X_sq = X^2;
for num 1/3: g lxX = ln(abs(xX) + 1);

su y x1-x3;
ta ind;
reg y x1 x2 x3, r;
reg y x1 x2 x3 x1_sq x2_sq x3_sq;
test x1_sq x2_sq x3_sq;

xi: reg y x1 x2 i.ind;
areg y x1 x2, a(ind) r;

sort ind;
by ind: egen ybar = mean(y);
qui su ybar;
di "range of industry means: " %6.3f r(min) " to " %6.3f r(max);

#delimit cr
* back to carriage returns
l id y ybar in 1/5
