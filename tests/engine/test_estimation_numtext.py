"""The one helper that shows numbers in the statistics output (``numtext``): a missing value
is padded to the format's width like any number, and ±inf (which Stata cannot hold) shows as
missing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from libs.engine import missing
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.output import regress_header
from libs.stata_stats.estimation import Estimation


@pytest.mark.parametrize("fmt", ["%9.0g", "%10.2f", "%10.4f", "%7.3f", "%13.0g", "%6.4f"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_missing_is_padded_to_the_format_width(value: float, fmt: str) -> None:
    width = int(fmt[1:].split(".")[0])
    assert numtext(value, fmt) == ".".rjust(width)
    assert numtext(1.5, fmt).strip() != "."


def test_extended_missing_keeps_its_letter() -> None:
    assert numtext(missing.extended(1), "%10.0g") == ".a".rjust(10)


def test_missing_model_test_is_right_aligned_in_the_header() -> None:
    """A robust regress whose F cannot be computed shows ``F(2, 1) =          .`` (the value
    right-aligned under the others, as Stata prints it)."""
    est = Estimation(
        cmd="regress",
        depvar="y",
        names=("x", "z", "_cons"),
        b=np.zeros(3),
        V=np.eye(3),
        omitted=(False, False, False),
        scalars={"N": 4.0, "df_m": 2.0, "df_r": 1.0, "F": math.nan, "r2": 0.5, "rmse": 1.0},
        macros={"vce": "robust"},
        df_r=1.0,
    )
    lines = regress_header(est)
    f_line = next(line for line in lines if "F(2, 1)" in line)
    assert f_line.endswith(" = " + ".".rjust(10))
    assert len(f_line) == len(lines[0])
