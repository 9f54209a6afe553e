"""``e(wtype)``/``e(wexp)`` after every weighted estimation command, and ``margins`` reading
them: its averages are weighted after a weighted areg or xtreg as after regress."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.engine.conftest import Run
from tests.stata_stats.reference import assert_rel

Stata = Callable[[str], Run]


@pytest.fixture
def data(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 200
    d = pd.DataFrame(
        {
            "id": np.repeat(np.arange(40), 5).astype(np.int16),
            "t": np.tile(np.arange(5), 40).astype(np.int16),
            "x": rng.normal(size=n),
            "w": rng.integers(1, 4, n).astype(np.float64),
        }
    )
    d["y"] = d["x"] + 0.5 * d["x"] ** 2 + d["id"] / 10 + rng.normal(size=n)
    d.to_stata(tmp_path / "w.dta", write_index=False)
    return d


@pytest.mark.parametrize(
    ("command", "wtype"),
    [
        ("regress y c.x##c.x [fw=w]", "fweight"),
        ("areg y c.x##c.x [aw=w], absorb(id)", "aweight"),
        ("areg y c.x##c.x [pw=w], absorb(id)", "pweight"),
        ("xtreg y c.x##c.x [fw=w], fe", "fweight"),
    ],
)
def test_weights_posted_and_used_by_margins(
    stata: Stata, data: pd.DataFrame, command: str, wtype: str
) -> None:
    run = stata(f"use w, clear\nxtset id t\n{command}\nmargins, dydx(x)\n")
    assert run.rc == 0, run.log
    e = run.session.e.macros
    assert (e["wtype"], e["wexp"]) == (wtype, "= w")
    # the average marginal effect of x is b_x + 2·b_xx·x̄ with x̄ weighted by w
    b = run.session.e.matrices["b"]
    coef = dict(zip(b.colnames, np.asarray(b.values)[0], strict=True))
    xbar = float(np.average(data["x"], weights=data["w"]))
    ame = run.session.r.matrices["table"]
    assert_rel(float(np.asarray(ame.values)[0, 0]), coef["x"] + 2 * coef["c.x#c.x"] * xbar, 1e-9)
