"""Date functions: parts of dates, dates from parts and from text, date literals (``td()``)."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re

import numpy as np
import pandas as pd

from libs.engine.calendar import EPOCH, MS_PER_DAY, parse_date, timestamps
from libs.engine.errors import StataError
from libs.engine.functions.catalog import Context, Function, function
from libs.engine.values import Value, as_number, as_text, elementwise


def _part(attr: str) -> Function:
    def fn(ev: Context, a: list[Value]) -> Value:
        stamps, bad = timestamps(as_number(a[0]))
        values = np.asarray(getattr(stamps, attr), dtype=np.float64)
        if attr == "day_of_week":
            values = (values + 1) % 7  # Stata: Sunday = 0
        values[bad] = np.nan
        return values if np.ndim(a[0]) else np.float64(values[0])

    return fn


for _name, _attr in {"year": "year", "month": "month", "day": "day", "dow": "day_of_week",
                     "doy": "day_of_year", "quarter": "quarter"}.items():
    function(_name)(_part(_attr))


@function("mdy", args=3)
def _mdy(ev: Context, a: list[Value]) -> Value:
    m, d, y = (np.atleast_1d(np.asarray(as_number(v), dtype=np.float64)) for v in a)
    m, d, y = np.broadcast_arrays(m, d, y)
    out = np.full(m.shape, np.nan)
    for i in range(len(out)):
        if np.isfinite(m[i]) and np.isfinite(d[i]) and np.isfinite(y[i]):
            with contextlib.suppress(ValueError):
                out[i] = (dt.date(int(y[i]), int(m[i]), int(d[i])) - EPOCH).days
    return out if any(np.ndim(v) for v in a) else np.float64(out[0])


def _linear(per_year: int) -> Function:
    """ym(y, m), yq(y, q) ...: periods since 1960 from a year and a period within it."""

    def fn(ev: Context, a: list[Value]) -> Value:
        y, k = as_number(a[0]), as_number(a[1])
        return (y - 1960) * per_year + k - 1

    return fn


for _name, _per_year in {"ym": 12, "yq": 4, "yh": 2, "yw": 52}.items():
    function(_name, args=2)(_linear(_per_year))


def _from_days(unit: str) -> Function:
    def fn(ev: Context, a: list[Value]) -> Value:
        stamps, bad = timestamps(as_number(a[0]))
        y = np.asarray(stamps.year, dtype=np.float64) - 1960
        m = np.asarray(stamps.month, dtype=np.float64)
        values = {"m": y * 12 + m - 1, "q": y * 4 + (m - 1) // 3, "h": y * 2 + (m - 1) // 6,
                  "y": y + 1960,
                  "w": y * 52 + np.minimum((np.asarray(stamps.day_of_year) - 1) // 7, 51)}[unit]
        values = np.where(bad, np.nan, values)
        return values if np.ndim(a[0]) else np.float64(values[0])

    return fn


def _to_days(unit: str) -> Function:
    def fn(ev: Context, a: list[Value]) -> Value:
        x = np.atleast_1d(np.asarray(as_number(a[0]), dtype=np.float64))
        bad = ~np.isfinite(x)
        x0 = np.where(bad, 0, x)
        if unit == "y":
            years, months = x0, np.ones_like(x0)
        else:
            per = {"m": 12, "q": 4, "h": 2}[unit]
            years = 1960 + np.floor(x0 / per)
            months = (x0 - np.floor(x0 / per) * per) * (12 // per) + 1
        stamps = pd.to_datetime({"year": years, "month": months, "day": np.ones_like(x0)})
        days = (stamps - pd.Timestamp("1960-01-01")).dt.days.to_numpy(dtype=np.float64)
        days[bad] = np.nan
        return days if np.ndim(a[0]) else np.float64(days[0])

    return fn


for _u in "mqhyw":
    function(f"{_u}ofd")(_from_days(_u))
for _u in "mqhy":
    function(f"dof{_u}")(_to_days(_u))
function("yofd")(_from_days("y"))


@function("today", args=0)
def _today(ev: Context, a: list[Value]) -> Value:
    return np.float64((dt.date.today() - EPOCH).days)


@function("date", "daily", args=(2, 3))
def _date(ev: Context, a: list[Value]) -> Value:
    top = float(as_number(a[2])) if len(a) > 2 else math.nan
    return elementwise(lambda s, m: parse_date(s, m, top), [as_text(a[0]), as_text(a[1])],
                       numeric=True)


@function("monthly", args=(2, 3))
def _monthly(ev: Context, a: list[Value]) -> Value:
    def one(s: str, mask: str) -> float:
        days = parse_date(s, mask.upper().replace("M", "M") + ("D" if "D" not in mask else ""))
        if math.isnan(days) and not re.search(r"\d+\D+\d+", s):
            return math.nan
        m = re.match(r"^\s*(\d{4})\s*[mM-]?\s*(\d{1,2})\s*$", s)
        if m and mask.upper() == "YM":
            return (int(m.group(1)) - 1960) * 12 + int(m.group(2)) - 1
        return math.nan if math.isnan(days) else float(
            (EPOCH + dt.timedelta(days=days)).year * 12 - 1960 * 12
            + (EPOCH + dt.timedelta(days=days)).month - 1)

    return elementwise(one, [as_text(a[0]), as_text(a[1])], numeric=True)


def _literal(unit: str) -> Function:
    """td(01jan2020), tm(2020m1), tq(2020q1), ty(2020) pseudo-functions."""

    def fn(ev: Context, a: list[Value]) -> Value:
        text = str(a[0]).strip()
        if unit == "d":
            value = parse_date(text, "DMY")
        elif unit == "y":
            value = float(text)
        else:
            m = re.match(rf"^(\d{{4}})\s*{unit}\s*(\d+)$", text, re.IGNORECASE)
            if m is None:
                raise StataError(198, f"t{unit}({text}) invalid")
            per = {"m": 12, "q": 4, "h": 2, "w": 52}[unit]
            value = (int(m.group(1)) - 1960) * per + int(m.group(2)) - 1
        return np.float64(value)

    return fn


for _u in "dmqhwy":
    function(f"t{_u}")(_literal(_u))


@function("clock", "Clock", args=(2, 3))
def _clock(ev: Context, a: list[Value]) -> Value:
    def one(s: str, mask: str) -> float:
        date_mask = re.sub(r"[hms]", "", mask, flags=re.IGNORECASE)
        words = max(len(date_mask) - 1, 0)
        date_part = re.match(rf"^\s*(\S+(?:\s+\S+){{0,{words}}})", s)
        days = parse_date(date_part.group(1) if date_part else s, date_mask)
        times = re.findall(r"(\d+):(\d+)(?::(\d+(?:\.\d+)?))?", s)
        h, mi, sec = (float(times[0][0]), float(times[0][1]), float(times[0][2] or 0)) \
            if times else (0.0, 0.0, 0.0)
        return days * MS_PER_DAY + ((h * 60 + mi) * 60 + sec) * 1000

    return elementwise(one, [as_text(a[0]), as_text(a[1])], numeric=True)



@function("dofc")
def _dofc(ev: Context, a: list[Value]) -> Value:
    return np.floor(as_number(a[0]) / MS_PER_DAY)


@function("cofd")
def _cofd(ev: Context, a: list[Value]) -> Value:
    return as_number(a[0]) * MS_PER_DAY
