"""``summarize``'s table as Stata prints it: a blank line, the header and its rule, then per
variable Obs (with separators) and %9.0g mean, sd, min and max. The expected rows are Stata's
printed ``summarize price mpg`` of auto.dta (74 cars: price mean 6165.257, sd 2949.496,
3291–15906; mpg 21.2973, 5.785503, 12–41); the data here are built to have exactly those
statistics' printed values, so only the layout is compared."""

from __future__ import annotations

import numpy as np


def test_rows_match_statas_printed_summarize(stata, tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for mean, sd, lo, hi in ((6165.2568, 2949.4959, 3291, 15906), (21.297297, 5.7855032, 12, 41)):
        z = rng.normal(size=72)
        z = (z - z.mean()) / z.std(ddof=1)
        rows.append((mean, sd, lo, hi, z))
    r = stata("""
        clear
        set obs 74
        gen double price = .
        gen double mpg = .
    """)
    session = r.session
    for name, (mean, sd, lo, hi, z) in zip(("price", "mpg"), rows, strict=True):
        # 72 free values plus the min and max, rescaled until all 74 have the mean and sd
        free = z
        for _ in range(50):
            x = np.r_[lo, hi, free]
            free = mean + (free - x.mean()) * sd / x.std(ddof=1)
            free = np.clip(free, lo, hi)
        session.data.set(name, np.r_[lo, hi, free])
    from libs.engine.batch import run_source

    assert run_source(session, "summarize price mpg") == 0
    text = session.log.sinks[0].getvalue()  # type: ignore[attr-defined]
    lines = text[text.index(". summarize price mpg"):].splitlines()[1:6]
    assert lines == [
        "",
        "    Variable |        Obs        Mean    Std. dev.       Min        Max",
        "-------------+---------------------------------------------------------",
        "       price |         74    6165.257    2949.496       3291      15906",
        "         mpg |         74     21.2973    5.785503         12         41",
    ]
