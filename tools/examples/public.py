"""Public-domain tables, read from the copies statsmodels ships and reshaped for the library.

Each function returns the table exactly as committed under ``do_library/examples/``; the only
changes are renames, a numeric id beside a name, and the wide/long split of one table.
"""

from __future__ import annotations

import pandas as pd
from statsmodels.datasets import elnino, grunfeld, macrodata

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def grunfeld_panel() -> pd.DataFrame:
    """Grunfeld (1950): investment of 11 US firms, 1935–1954 (firm-year panel, 220 rows).

    ``firm`` numbers the firms in the source's order; their names are in grunfeld_firms.csv.
    """
    data = grunfeld.load_pandas().data
    names = list(dict.fromkeys(data["firm"]))
    return pd.DataFrame(
        {
            "firm": data["firm"].map({name: i + 1 for i, name in enumerate(names)}),
            "year": data["year"].astype(int),
            "invest": data["invest"],
            "value": data["value"],
            "capital": data["capital"],
        }
    )


def grunfeld_firms() -> pd.DataFrame:
    """The firm names of the Grunfeld panel: the second file of a merge pair (m:1 on firm)."""
    names = list(dict.fromkeys(grunfeld.load_pandas().data["firm"]))
    return pd.DataFrame(
        {"firm": range(1, len(names) + 1), "company": pd.Series(names, dtype="str")}
    )


def elnino_wide() -> pd.DataFrame:
    """NOAA sea-surface temperature (Niño 1+2), one row per year 1950–2010, temp1–temp12."""
    data = elnino.load_pandas().data
    frame = pd.DataFrame({"year": data["YEAR"].astype(int)})
    for number, month in enumerate(MONTHS, start=1):
        frame[f"temp{number}"] = data[month]
    return frame


def elnino_long() -> pd.DataFrame:
    """The same table long: one row per month (year, month, temp) — a monthly time series."""
    wide = elnino_wide()
    long = wide.melt(id_vars="year", var_name="month", value_name="temp")
    long["month"] = long["month"].str.removeprefix("temp").astype(int)
    return long.sort_values(["year", "month"]).reset_index(drop=True)


def macro_quarterly() -> pd.DataFrame:
    """US macroeconomic series, 1959Q1–2009Q3 (FRED and BLS via statsmodels' macrodata)."""
    data = macrodata.load_pandas().data.copy()
    data["year"] = data["year"].astype(int)
    data["quarter"] = data["quarter"].astype(int)
    return data
