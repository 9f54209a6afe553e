* 23_diagnostics.do
* Post-estimation checks on a hedonic house-price regression: heteroskedasticity,
* functional form, collinearity, influential observations, and residual plots.

clear all
set more off
set seed 5150

set obs 800
gen sqft = 800 + 2200*runiform()
gen rooms = round(sqft/400 + rnormal(0, .7))
gen age = floor(80*runiform())
gen lotsize = exp(rnormal(8.5, .4))
gen dist = 1 + 20*runiform()
gen price = 50 + .12*sqft + 5*rooms - .4*age + .002*lotsize - 2*dist ///
    + rnormal(0, 1)*(20 + .02*sqft)
label variable price "Price (000s)"

regress price sqft rooms age lotsize dist
estat hettest
estat hettest, rhs
estat hettest sqft, iid
estat imtest, white
estat ovtest
estat vif

* heteroskedasticity-robust inference
regress price sqft rooms age lotsize dist, vce(robust)
test rooms lotsize
testparm sqft-dist
lincom sqft*100 + rooms

* influence
quietly regress price sqft rooms age lotsize dist
predict yhat, xb
predict res, residuals
predict rstu, rstudent
predict lev, leverage
predict cooksd, cooksd
count if abs(rstu) > 3
list price sqft yhat rstu cooksd if cooksd > 4/e(N) & abs(rstu) > 2.5, clean

rvfplot, yline(0)
graph export rvf.png, replace
avplot sqft
graph export avplot_sqft.png, replace

* log specification
gen lprice = ln(price)
gen lsqft = ln(sqft)
regress lprice lsqft rooms age dist, vce(robust)
display "elasticity of price with respect to size: " %5.3f _b[lsqft]
