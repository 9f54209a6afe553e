"""Charts drawn one after another in a process (the coefficient plot's figure and the Agg
renderers kept between them) come out as each would on its own, in a fresh thread."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from PIL import Image

from dev.report_samples import write_attempt
from libs.reports import ReportContext, ResultBundle
from libs.reports.charts import charts
from libs.reports.figures import Chart

#: The models each report holds, in the order one process draws them: one model, three (a
#: legend, taller), back to one, two, three again.
SEQUENCE = (1, 3, 1, 2, 3)


Attempt = tuple[Path, ReportContext]


@pytest.fixture(scope="module")
def attempts(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Attempt]:
    """An attempt with 1, 2 and 3 models (different coefficients, heights, a legend)."""
    root = tmp_path_factory.mktemp("charts")
    found = {}
    for models in set(SEQUENCE):
        context, _ = write_attempt(root / str(models), models=models)
        found[models] = (root / str(models), context)
    return found


def _bundle(attempt: Attempt) -> ResultBundle:
    """A new bundle of ``attempt`` (charts are kept per bundle: a new one draws them)."""
    raw, context = attempt
    return ResultBundle.load(raw / "results", context)


def _in_new_thread(attempt: Attempt) -> tuple[Chart, ...]:
    """The charts of ``attempt`` drawn in a thread of their own, which has kept nothing."""
    drawn: list[tuple[Chart, ...]] = []
    thread = threading.Thread(target=lambda: drawn.append(charts(_bundle(attempt))))
    thread.start()
    thread.join()
    return drawn[0]


def test_charts_drawn_in_turn_match_charts_drawn_alone(attempts: dict[int, Attempt]) -> None:
    alone = {models: _in_new_thread(attempt) for models, attempt in attempts.items()}
    in_turn: list[tuple[Chart, ...]] = []
    thread = threading.Thread(target=lambda: in_turn.extend(
        charts(_bundle(attempts[models])) for models in SEQUENCE))
    thread.start()
    thread.join()
    assert len(in_turn) == len(SEQUENCE)
    for models, drawn in zip(SEQUENCE, in_turn, strict=True):
        expected = alone[models]
        assert [c.name for c in drawn] == [c.name for c in expected] == ["coefplot",
                                                                         "firm_counts"]
        for ours, theirs in zip(drawn, expected, strict=True):
            assert ours.png == theirs.png, f"{ours.name} of the {models}-model report"
    # The reports differ, so equal bytes above are not one picture repeated.
    heights = {models: Image.open(io.BytesIO(alone[models][0].png)).height
               for models in attempts}
    assert heights[1] == heights[2] < heights[3]  # two models share a row, three do not
    assert alone[1][0].png != alone[2][0].png
