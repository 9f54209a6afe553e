"""The PDF's tables skip fpdf2's measuring pass for one-line cells: the documents must come
out byte for byte as with fpdf2's own ``Table``, which measures every cell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fpdf import FPDF
from fpdf.table import Table as FpdfTable

from libs.reports import ResultBundle, render
from libs.reports.bundle import Table
from tests.reports.conftest import Rendered


class _Measured(FpdfTable):
    """fpdf2's own table, taking (and ignoring) the text widths ``OneLineTable`` takes."""

    def __init__(self, pdf: FPDF, widths: Any, **kwargs: Any) -> None:
        super().__init__(pdf, **kwargs)


def _bundles(sample: Rendered) -> dict[str, ResultBundle]:
    context = sample.bundle.context
    long = pd.DataFrame({"obs_id": range(150), "measure_x": [i * 0.5 for i in range(150)]})
    # Too wide for a landscape page at the smallest size: the table is squeezed to the page
    # and its long cells wrap onto several lines.
    wide = pd.DataFrame({f"a_rather_long_column_name_{k}": [f"value {k} " * (k % 4 + 1)
                                                           for _ in range(6)]
                         for k in range(14)})
    return {
        "report": sample.bundle,
        "long": ResultBundle(context, [], [Table("long", "A long table", "table", long)]),
        "wide": ResultBundle(context, [], [Table("wide", "A wide table", "table", wide)]),
    }


def _multi_cells(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A counter of ``FPDF.multi_cell`` calls from now on."""
    calls = [0]
    real = FPDF.multi_cell

    def counted(self: FPDF, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(FPDF, "multi_cell", counted)
    return calls


@pytest.mark.parametrize("name", ["report", "long", "wide"])
def test_tables_come_out_as_fpdfs_own(name: str, sample: Rendered, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = _bundles(sample)[name]
    calls = _multi_cells(monkeypatch)
    (ours, *_) = render("pdf", bundle, sample.raw_dir, tmp_path / "ours")
    ours_calls = calls[0]
    monkeypatch.setattr("libs.reports.renderers.pdf.OneLineTable", _Measured)
    (theirs, *_) = render("pdf", bundle, sample.raw_dir, tmp_path / "theirs")
    assert ours.read_bytes() == theirs.read_bytes()
    # fewer layouts: the one-line cells were not measured (the wide table's wrap, so they
    # are measured as before)
    assert ours_calls < calls[0] - ours_calls
