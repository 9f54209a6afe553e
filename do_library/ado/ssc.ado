*! ssc 1.0.0  SS: "ssc install <package>" checks that the package is there; nothing is downloaded
*! SS puts this folder first on the adopath, so this program answers for Stata's own ssc in
*! every job: a job never reaches the network (docs/dofiles.md). The embedded engine's ssc
*! does the same with the packages it provides.
program define ssc
    version 14
    gettoken sub rest : 0, parse(" ,")
    if !inlist(`"`sub'"', "install", "inst", "insta", "instal") {
        display as error "ssc `sub': SS runs Stata without network access"
        exit 199
    }
    gettoken package : rest, parse(" ,")
    capture which `package'
    if _rc {
        display as error "ssc install `package': package `package' is not installed on " ///
            "this Stata (SS installs nothing from the network)"
        exit 199
    }
    display as text "(ssc install `package': already installed; nothing downloaded)"
end
