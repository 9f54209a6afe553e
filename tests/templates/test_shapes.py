"""Shape claims: every accepted shape is exercised on data of that shape, wrong shapes refused.

A template's shapes are checked before anything runs (the worker calls ``check_shape`` on the
normalised main input): a panel template given a cross-section, a long dataset whose id and j
repeat, or a wide dataset without the stub columns gets DATA_SHAPE_INVALID.
"""

from __future__ import annotations

import pandas as pd
import pytest

from libs.contracts.errors import ErrorCode
from libs.templates import (
    DataShapeInvalid,
    ValidatedParams,
    check_shape,
    load_catalogue,
    validate_params,
)
from libs.templates.frame import FrameProbe
from libs.templates.metadata import Shape, ShapeSpec
from libs.templates.shapes import shape_problem
from tests.templates.cases import ALL_CASES
from tests.templates.fixtures import cross_section, panel, wide_repeated
from tests.templates.support import Case

CATALOGUE = load_catalogue()
CLAIMS = [(meta.id, spec) for meta in CATALOGUE.templates() for spec in meta.shapes]


def _params(spec: ShapeSpec, **names: str | list[str]) -> ValidatedParams:
    keys = {
        "id": spec.id_param,
        "inner": spec.time_param or spec.j_param,
        "stubs": spec.stubs_param,
    }
    values: dict[str, str | list[str] | None] = {}
    for key, value in names.items():
        param = keys[key]
        if param:
            values[param] = value
    return ValidatedParams(template_id="any", values=dict(values))


def _fitting_data(spec: ShapeSpec) -> tuple[pd.DataFrame, ValidatedParams]:
    if spec.kind in (Shape.PANEL, Shape.LONG):
        return panel(1), _params(spec, id="unit", inner="year")
    if spec.stubs_param:
        return wide_repeated(2), _params(spec, id="country", stubs=["gdp", "pop"])
    return cross_section(3), _params(spec, id="id")


def _wrong_data(spec: ShapeSpec) -> list[tuple[pd.DataFrame, ValidatedParams]]:
    if spec.kind in (Shape.PANEL, Shape.LONG):
        repeated = pd.concat([panel(1), panel(1).head(3)], ignore_index=True)
        one_row_each = cross_section(3).rename(columns={"id": "unit", "g": "year"})
        return [
            (repeated, _params(spec, id="unit", inner="year")),
            (one_row_each, _params(spec, id="unit", inner="year")),
        ]
    if spec.stubs_param:
        return [(panel(1), _params(spec, id="unit", stubs=["gdp"]))]
    if spec.id_param:
        return [(panel(1), _params(spec, id="unit"))]
    return []  # a wide shape with no requirement accepts any rectangle


@pytest.mark.parametrize(("template", "spec"), CLAIMS, ids=[f"{t}-{s.kind}" for t, s in CLAIMS])
def test_claimed_shape_accepts_data_of_that_shape(template: str, spec: ShapeSpec) -> None:
    data, params = _fitting_data(spec)
    assert shape_problem(spec, params, FrameProbe(data)) is None


#: Claims with a requirement to break (a wide shape without one accepts any rectangle).
STRICT = [(t, s) for t, s in CLAIMS if _wrong_data(s)]


def test_most_claims_have_a_requirement_to_break() -> None:
    assert len(STRICT) >= 10


@pytest.mark.parametrize(("template", "spec"), STRICT, ids=[f"{t}-{s.kind}" for t, s in STRICT])
def test_claimed_shape_refuses_data_of_another_shape(template: str, spec: ShapeSpec) -> None:
    for data, params in _wrong_data(spec):
        assert shape_problem(spec, params, FrameProbe(data)), (template, spec)


def test_panel_time_must_be_whole_numbers() -> None:
    spec = ShapeSpec(kind=Shape.PANEL, id_param="i", time_param="t")
    data = panel(1).assign(year=lambda f: f["year"] + 0.5)
    assert "whole numbers" in (
        shape_problem(spec, _params(spec, id="unit", inner="year"), FrameProbe(data)) or ""
    )


def _needs_shape(template: str) -> bool:
    return all(s.kind != Shape.WIDE or s.id_param for s in CATALOGUE.get(template).shapes)


SHAPED = [case for case in ALL_CASES if _needs_shape(case.template)]


@pytest.mark.parametrize("case", SHAPED, ids=str)
def test_run_case_data_fits_and_wrong_shapes_are_refused(case: Case) -> None:
    meta = CATALOGUE.get(case.template)
    params = validate_params(meta, case.params, None)
    check_shape(meta, params, FrameProbe(case.main))
    spec = meta.shapes[0]
    ident = str(params.values[spec.id_param or ""])
    wrong = [pd.concat([case.main, case.main.head(2)], ignore_index=True)]  # rows repeated
    if spec.kind is not Shape.WIDE:
        wrong.append(case.main.drop_duplicates(subset=[ident]))  # one row per unit
    for data in wrong:
        with pytest.raises(DataShapeInvalid) as caught:
            check_shape(meta, params, FrameProbe(data))
        assert caught.value.code is ErrorCode.DATA_SHAPE_INVALID
        assert set(caught.value.reasons) == {s.kind.value for s in meta.shapes}


def test_daily_dates_are_whole_numbered_time_variables() -> None:
    days = pd.to_datetime(["2023-01-02", "2023-01-03", "2023-01-02", "2023-01-03"])
    frame = pd.DataFrame({"firm": [1, 1, 2, 2], "date": days})
    probe = FrameProbe(frame)
    assert probe.integer_valued("date")
    assert probe.columns().numeric("date")
    stamps = pd.DataFrame({"t": pd.to_datetime(["2023-01-02 10:30", "2023-01-03 00:00"])})
    assert not FrameProbe(stamps).integer_valued("t")
