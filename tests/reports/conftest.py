"""One rendered sample attempt shared by the report tests (rendering is the slow part)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from dev.report_samples import Fit, write_attempt
from libs.reports import ResultBundle, render


@dataclass(frozen=True)
class Rendered:
    """The sample attempt, its bundle, and where its outputs went."""

    raw_dir: Path
    out_dir: Path
    bundle: ResultBundle
    fits: list[Fit]


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The Grunfeld attempt with three models, loaded but not rendered."""
    root = tmp_path_factory.mktemp("attempt")
    context, fits = write_attempt(root / "raw", models=3)
    bundle = ResultBundle.load(root / "raw" / "results", context)
    return Rendered(raw_dir=root / "raw", out_dir=root / "out", bundle=bundle, fits=fits)


@pytest.fixture(scope="session")
def rendered(sample: Rendered) -> dict[str, list[Path]]:
    """Every format but pdf rendered once (pdf has its own fixture: it needs a CJK font)."""
    formats = ("xlsx", "docx", "html", "json", "csv", "dta", "log", "do", "png")
    return {fmt: render(fmt, sample.bundle, sample.raw_dir, sample.out_dir) for fmt in formats}


def expected_stars(p: float) -> str:
    """* p<.10, ** p<.05, *** p<.01."""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.10 else ""


def expected_coefficient(value: float, p: float) -> str:
    """How a paper prints a coefficient: 4 decimals and its stars."""
    return f"{value:.4f}{expected_stars(p)}"


def expected_se(value: float) -> str:
    """A standard error under its coefficient."""
    return f"({value:.4f})"


def expected_cells(fit: Fit) -> list[tuple[str, str]]:
    """(coefficient text, SE text) for each slope of ``fit`` and its constant."""
    res = fit.result
    return [(expected_coefficient(res.params[t], res.pvalues[t]), expected_se(res.bse[t]))
            for t in res.params.index]
