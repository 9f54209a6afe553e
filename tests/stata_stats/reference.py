"""Stata's reference outputs and datasets shipped in the installed statsmodels/linearmodels wheels.

Nothing is copied into the repository: the fixtures are imported from the installed packages.
Stata stores non-integer variables of these datasets as ``float``; :func:`as_float` reproduces
that storage so the engine sees the same numbers Stata saw.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import linearmodels
import numpy as np
import statsmodels
from numpy.typing import NDArray

from libs.stata_stats.estimation import Estimation

SM_ROOT = Path(statsmodels.__file__).parent
LM_ROOT = Path(linearmodels.__file__).parent

ParamsBunch = Any


def as_float(values: Any) -> NDArray[np.float64]:
    """Values as Stata's ``float`` storage type holds them, widened back to double."""
    return np.asarray(values, dtype=np.float32).astype(np.float64)


def assert_rel(
    actual: Any, expected: Any, rtol: float, what: str = "", decimals: int | None = None
) -> None:
    """Every element within ``rtol`` relative (missing must match missing); a reference
    recorded with only ``decimals`` decimals is also allowed its rounding error."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    atol = 0.0 if decimals is None else 0.5 * 10.0**-decimals
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def check_params_table(est: Estimation, ref: ParamsBunch, rtol: float, cov_rtol: float) -> None:
    """Compare ``r(table)`` (b se stat p ll ul df crit), ``e(V)`` and every recorded scalar."""
    table = est.table().T
    assert list(est.names) == list(ref.params_table_rownames)
    assert_rel(table[:, :8], ref.params_table[:, :8], rtol, "r(table)")
    assert_rel(est.V, ref.cov, cov_rtol, "e(V)")
    compared = 0
    for name in (
        "N",
        "df_m",
        "df_r",
        "F",
        "r2",
        "rmse",
        "mss",
        "rss",
        "r2_a",
        "ll",
        "ll_0",
        "rank",
        "N_clust",
        "chi2",
        "p",
        "r2_p",
        "k",
    ):
        if hasattr(ref, name):
            assert_rel(est.scalars[name], getattr(ref, name), rtol, name)
            compared += 1
    for name in ("vce", "vcetype", "depvar", "cmd", "clustvar", "chi2type"):
        if hasattr(ref, name) and name != "depvar":
            assert est.macros.get(name, "") == getattr(ref, name), name
    assert compared >= 5


class StataBlock:
    """One ``estout`` block of linearmodels' Stata result files: coefficients with their
    t (and p), ``e()`` scalars, and ``e(V)``."""

    def __init__(self, lines: list[str]) -> None:
        self.params: dict[str, list[float]] = {}
        self.scalars: dict[str, float] = {}
        names: list[str] = []
        rows: list[list[float]] = []
        section = "head"
        current = ""
        for raw in lines:
            line = raw.rstrip("\n")
            if not line.strip():
                continue
            if line.strip().startswith("b/t"):
                section = "params"
                continue
            if "Variance" in line:
                section = "variance-head"
                continue
            if line.startswith("****"):
                section = "other"
                continue
            if section == "params":
                if line.startswith("\t"):
                    self.params[current].append(float(line.strip()))
                    continue
                name, _, value = line.partition("\t")
                if name in ("rss", "r2", "N") or not _looks_like_coef(name, value):
                    section = "scalars"
                else:
                    current = name
                    self.params[name] = [float(value)]
                    continue
            if section == "scalars":
                name, _, value = line.partition("\t")
                if value.strip():
                    self.scalars[name] = float(value)
            elif section == "variance-head":
                if line.strip() == "V":
                    continue
                names = line.strip().split("\t")
                section = "variance"
            elif section == "variance":
                cells = line.split("\t")
                rows.append([float(c) for c in cells[1:]])
        self.names = names
        self.V = np.array(rows)


def _looks_like_coef(name: str, value: str) -> bool:
    return bool(value.strip()) and (name.startswith(("x", "_cons", "hsngval", "pcturban")))


def stata_blocks(path: Path) -> dict[str, StataBlock]:
    """Blocks of a linearmodels Stata result file, keyed by the text between ``!`` marks."""
    blocks: dict[str, list[str]] = {}
    key = ""
    for line in path.read_text().splitlines():
        if "!" in line and "#" in line:
            key = line.split("!")[1]
            blocks[key] = []
        elif key:
            blocks[key].append(line)
    return {k: StataBlock(v) for k, v in blocks.items()}
