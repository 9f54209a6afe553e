"""Stata's calendar: dates are days since 01jan1960 (``%tc`` times: milliseconds), parsed from
text with masks (``date(s, "DMY")``) and shown with the ``%t`` display formats."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import numpy.typing as npt
import pandas as pd

EPOCH = dt.date(1960, 1, 1)
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
MS_PER_DAY = 86_400_000.0


def timestamps(days: npt.ArrayLike) -> tuple[pd.DatetimeIndex, npt.NDArray[np.bool_]]:
    """Dates (days since 01jan1960) as timestamps, and where they are missing (shown as the
    epoch)."""
    arr = np.atleast_1d(np.asarray(days, dtype=np.float64))
    bad = ~np.isfinite(arr)
    stamps = pd.to_datetime(np.where(bad, 0, np.floor(arr)), unit="D", origin="1960-01-01")
    return pd.DatetimeIndex(stamps), bad


def parse_date(text: str, mask: str, topyear: float = math.nan) -> float:
    """Stata's date(s, mask): ``"DMY"``, ``"MDY"``, ``"YMD"``, ``"20YMD"`` ... → days."""
    letters = re.findall(r"(\d\d)?([DMY])", mask.upper())
    parts = re.findall(r"\d+|[A-Za-z]+", text)
    if len(parts) != len(letters):
        if len(letters) == 3 and len(parts) == 1 and parts[0].isdigit() and len(parts[0]) == 8:
            order = [c for _, c in letters]
            s = parts[0]
            widths = {"Y": 4, "M": 2, "D": 2}
            parts, pos = [], 0
            for c in order:
                parts.append(s[pos : pos + widths[c]])
                pos += widths[c]
        else:
            return math.nan
    values: dict[str, int] = {}
    for (century, letter), part in zip(letters, parts, strict=True):
        if letter == "M" and part.isalpha():
            key = part[:3].lower()
            if key not in MONTHS:
                return math.nan
            values["M"] = MONTHS.index(key) + 1
        elif part.isdigit():
            value = int(part)
            if letter == "Y" and len(part) <= 2:
                if century:
                    value += int(century) * 100
                elif not math.isnan(topyear):
                    value += int(topyear) // 100 * 100
                    if value > topyear:
                        value -= 100
                else:
                    return math.nan
            values[letter] = value
        else:
            return math.nan
    try:
        return float((dt.date(values.get("Y", 1960), values.get("M", 1), values.get("D", 1))
                      - EPOCH).days)
    except ValueError:
        return math.nan


def format_date(value: float, unit: str, detail: str) -> str:
    """Display a date value with ``%td``/``%tm``/``%tq``/``%th``/``%tw``/``%ty``/``%tc``."""
    if unit in ("c", "C"):
        stamp = dt.datetime(1960, 1, 1) + dt.timedelta(milliseconds=value)
        return stamp.strftime("%d%b%Y %H:%M:%S").lower()[:9] + stamp.strftime(" %H:%M:%S")
    if unit == "d":
        day = EPOCH + dt.timedelta(days=math.floor(value))
        if detail:
            return _custom(day, detail)
        return f"{day.day:02d}{MONTHS[day.month - 1]}{day.year}"
    k = math.floor(value)
    if unit == "y":
        return str(k)
    per = {"m": 12, "q": 4, "h": 2, "w": 52}[unit]
    return f"{1960 + k // per}{unit}{k % per + 1}"


def _custom(day: dt.date, detail: str) -> str:
    codes = {"CCYY": f"{day.year:04d}", "YY": f"{day.year % 100:02d}", "NN": f"{day.month:02d}",
             "nn": str(day.month), "DD": f"{day.day:02d}", "dd": str(day.day),
             "Mon": MONTHS[day.month - 1].capitalize(), "Month": day.strftime("%B"),
             "mon": MONTHS[day.month - 1], "month": day.strftime("%B").lower()}
    out, i = [], 0
    while i < len(detail):
        for code in sorted(codes, key=len, reverse=True):
            if detail.startswith(code, i):
                out.append(codes[code])
                i += len(code)
                break
        else:
            ch = detail[i]
            out.append(detail[i + 1] if ch == "!" and i + 1 < len(detail) else
                       {"_": " "}.get(ch, ch))
            i += 2 if ch == "!" else 1
    return "".join(out)
