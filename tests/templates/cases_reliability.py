"""Independent checks of the intraclass-correlation template: the ICCs, their confidence
intervals and F tests from McGraw and Wong's (1996) mean-square formulas evaluated in numpy
(tests/engine/icc_reference.py) on the complete rows of the rating columns."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from tests.engine.icc_reference import reference_icc
from tests.templates.cases_regression import Params, names
from tests.templates.support import Case, Check, Results, close

_MODELS = {"random": "two-way random effects", "mixed": "two-way mixed effects",
           "oneway": "one-way random effects"}


def check_icc(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    ratings, target = names(p, "ratings"), str(p["target"])
    frame = data["main"].dropna(subset=[*ratings, target])
    model, agreement = str(p["model"]), str(p["agreement"])
    oneway = model == "oneway"
    want = reference_icc(frame[ratings].to_numpy(dtype=float), oneway=oneway,
                         absolute=agreement == "absolute" and not oneway,
                         level=float(p["level"]))  # type: ignore[arg-type]
    table = res.table("icc")
    assert list(table["unit"]) == ["individual", "average"]
    assert set(table["model"]) == {_MODELS[model]}
    assert set(table["agreement"]) == {"consistency" if oneway else agreement}
    for row, prefix in zip(table.itertuples(), ("icc_i", "icc_avg"), strict=True):
        close([row.icc, row.ci_lo, row.ci_hi, row.F, row.df1, row.df2, row.p],
              [want[f"{prefix}{s}"] for s in ("", "_lb", "_ub", "_F", "_df1", "_df2", "_p")])
        close([row.n_targets, row.n_raters], [len(frame), len(ratings)])


def _three_raters(seed: int, n: int = 40) -> pd.DataFrame:
    """Three raters score subjects' true level; rater C reads 3 points high and one score is
    missing (that subject is dropped)."""
    rng = np.random.default_rng(seed)
    true = rng.normal(50, 8, n)
    frame = pd.DataFrame({"patient": np.arange(101, 101 + n),
                          "rater_a": true + rng.normal(0, 3, n),
                          "rater_b": true + rng.normal(0, 4, n),
                          "rater_c": true + 3 + rng.normal(0, 3, n)})
    frame.loc[7, "rater_b"] = np.nan
    return frame


EXAMPLE_CHECKS: dict[str, Check] = {"icc_reliability": check_icc}

CASES = [
    Case(template="icc_reliability", variant="mixed_consistency_three_raters",
         params={"ratings": ["rater_a", "rater_b", "rater_c"], "target": "patient",
                 "model": "mixed", "agreement": "consistency", "level": 90},
         main=_three_raters(61), check=check_icc),
    Case(template="icc_reliability", variant="oneway",
         params={"ratings": ["rater_a", "rater_c"], "target": "patient", "model": "oneway"},
         main=_three_raters(62), check=check_icc),
]
