"""codebook.ado's DoDate: a numeric variable with a daily, weekly, monthly, quarterly,
half-yearly or yearly format (``%td``…, or the old ``%d``) is reported with its range also
in dates, its tabulation with the dates beside the numbers, or its mean as a date (with the
fraction beyond it) and its percentiles also in dates. Other ``%t`` formats (``%tc``) and
left-aligned ones (``%-td``, whose second character is ``-``) are reported as numbers."""

from __future__ import annotations

import math

import numpy as np

from libs.engine.commands import codebook_lines as report_lines
from libs.engine.commands.codebook_facts import (
    line,
    numeric_counts,
    numeric_frequencies,
    shown,
    units,
)
from libs.engine.commands.codebook_problems import Problems
from libs.engine.formats import format_number
from libs.engine.percentile import percentile
from libs.engine.session import Session

#: the format's letter → (the type's word, the units' word)
_KINDS = {"d": ("daily", "days"), "w": ("weekly", "weeks"), "m": ("monthly", "months"),
          "q": ("quarterly", "quarters"), "h": ("halfyearly", "half years"),
          "y": ("yearly", "years")}


def _letter(fmt: str) -> str:
    """The ado's ch2: the third character of the format (``d`` for the old ``%d``)."""
    return "d" if fmt[1:2] == "d" else fmt[2:3]


def is_date_format(fmt: str) -> bool:
    """Whether codebook.ado reports a variable of format ``fmt`` with DoDate."""
    return fmt[1:2] in ("d", "t") and _letter(fmt) in _KINDS


def _date(value: float, letter: str) -> str:
    """``trim(string(value, "%t<letter>"))``."""
    return format_number(value, f"%t{letter}").strip()


def _fraction_note(mean: float, letter: str, desc: str) -> str:
    """The mean's note: `` (invalid <desc> date)``, or the part past the date in hours (daily),
    days (weekly, monthly) or months (the others; the ado takes 6 months per unit for
    yearly dates as for half-years)."""
    if _date(mean, letter) == ".":
        return f" (invalid {desc} date)"
    diff = mean - math.trunc(mean)
    if diff == 0:
        return ""
    if letter == "d":
        amount, unit = _stata_round(24 * diff), "hour"
    elif letter == "m":
        amount, unit = _stata_round(365.25 / 12 * diff), "day"
    else:
        factor, unit = {"w": (7, "day"), "q": (3, "month")}.get(letter, (6, "month"))
        amount = float(f"{factor * diff:.1f}")
        if amount != math.trunc(amount):
            return f" (+ {factor * diff:.1f} {unit}s)"
    text = str(math.trunc(amount))
    return f" (+ {text} {unit}{'' if text == '1' else 's'})"


def _stata_round(x: float) -> float:
    return math.copysign(math.floor(abs(x) + 0.5), x)


def report(session: Session, name: str, touse: np.ndarray, tabulate: int,
           problems: Problems) -> None:
    """DoDate: the type as ``numeric <desc> date``, the label line, range and units and
    ``_col(8) "or equivalently:  [" dates "]" _col(55) "units:  " words``, the counts, then
    the tabulation, the mean and percentiles in numbers and dates, or labelled examples."""
    var = session.data.var(name)
    letter = _letter(var.format)
    desc, words = _KINDS[letter]
    x = session.data.numeric(name)[touse]
    report_lines.type_line(session, name, f"numeric {desc} date")
    report_lines.value_label_line(session, name, x, problems)
    session.log.out()
    report_lines.range_line(session, x)
    u = units(x)
    session.log.out(line((8, f"or equivalently:  [{_date(u.min, letter)},"
                             f"{_date(u.max, letter)}]"), (55, f"units:  {words}")))
    counts = numeric_counts(x)
    if counts.uniq_nmv < 2:
        problems.add("cons", name)
    report_lines.uniq_lines(session, counts, string=False)
    session.log.out()
    if counts.uniq_nmv <= tabulate:
        session.log.out(line((13, "tabulation:  Freq.  Value")))
        for v, count in numeric_frequencies(x):
            session.log.out(line((21, f"{count:>10,}"), (33, shown(v)),
                                 (40, format_number(v, f"%t{letter}"))))
    elif not var.value_label:
        _moments(session, x, letter, desc)
    else:  # NumExamples, whether or not the attached label is defined
        report_lines.labelled_examples(session, var.value_label, x, int((~touse).sum()))
    v = x[~np.isnan(x)]
    if np.any(v != np.trunc(v)):
        problems.add("realdate", name)


def _moments(session: Session, x: np.ndarray, letter: str, desc: str) -> None:
    """The mean ``= date`` with its note, the std. dev., and the percentiles' row of
    numbers followed by a row of dates (``%9s`` at columns 26…66)."""
    v = x[~np.isnan(x)]
    mean = float(v.mean())
    sd = float(v.std(ddof=1)) if len(v) > 1 else math.nan
    pct = [percentile(v, p) for p in (10, 25, 50, 75, 90)]
    session.log.lines([
        line((19, "mean:"), (26, format_number(mean, "%8.0g")),
             (None, f" = {_date(mean, letter)}{_fraction_note(mean, letter, desc)}")),
        line((15, "std. dev:"), (26, format_number(sd, "%8.0g"))),
        "",
        line((12, "percentiles:"), (32, "10%"), (42, "25%"), (52, "50%"), (62, "75%"),
             (72, "90%")),
        line(*((27 + 10 * i, format_number(q, "%8.0g")) for i, q in enumerate(pct))),
        line(*((26 + 10 * i, f"{_date(q, letter):>9}") for i, q in enumerate(pct))),
    ])
