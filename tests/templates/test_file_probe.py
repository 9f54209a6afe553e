"""The worker checks shapes on the normalised .dta through ``FileProbe``, which reads only the
columns a question names. Each verdict must be the one ``FrameProbe`` gives on the same file
read whole by pandas (an independent reader), and the check runs in a reader child within the
run's memory limit."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from libs.datasets.errors import ReadMemoryExceeded
from libs.datasets.isolation import FORKSERVER_PRELOAD, call_isolated
from libs.datasets.limits import Limits
from libs.engine.dta_reader import read_columns
from libs.templates import DataShapeInvalid, check_shape, load_catalogue, validate_params
from libs.templates.frame import FileProbe, FrameProbe, problems_by_columns, shape_problems
from libs.templates.params import DatasetColumns
from tests.templates.cases import ALL_CASES
from tests.templates.support import Case
from tests.templates.test_shapes import SHAPED

CATALOGUE = load_catalogue()


def _columns(frame: pd.DataFrame) -> DatasetColumns:
    return FrameProbe(frame).columns()


def _pandas_verdict(path: Path, case: Case) -> dict[str, str]:
    meta = CATALOGUE.get(case.template)
    params = validate_params(meta, case.params, None)
    try:
        check_shape(meta, params, FrameProbe(pd.read_stata(path, convert_categoricals=False)))
    except DataShapeInvalid as exc:
        return exc.reasons
    return {}


@pytest.mark.parametrize("case", SHAPED, ids=str)
def test_file_verdicts_are_those_of_the_whole_frame(case: Case, tmp_path: Path) -> None:
    meta = CATALOGUE.get(case.template)
    params = validate_params(meta, case.params, None)
    spec = meta.shapes[0]
    ident = str(params.values[spec.id_param or ""])
    variants = {"as given": case.main,
                "rows repeated": pd.concat([case.main, case.main.head(2)], ignore_index=True)}
    if spec.kind.value != "wide":
        variants["one row per unit"] = case.main.drop_duplicates(subset=[ident])
    verdicts = set()
    for name, data in variants.items():
        path = tmp_path / f"{name}.dta"
        data.to_stata(path, write_index=False, version=118)
        found = shape_problems(path, meta, params, _columns(data))
        assert found == _pandas_verdict(path, case), name
        assert problems_by_columns(meta, params, _columns(data)) in (None, found), name
        verdicts.add(bool(found))
    assert verdicts == {False, True}  # both a fit and a refusal were compared


def test_the_column_list_settles_shapes_without_row_questions() -> None:
    settled = [c for c in ALL_CASES if CATALOGUE.get(c.template).shapes
               and problems_by_columns(CATALOGUE.get(c.template),
                                       validate_params(CATALOGUE.get(c.template), c.params, None),
                                       _columns(c.main)) is not None]
    asked = [c for c in SHAPED
             if problems_by_columns(CATALOGUE.get(c.template),
                                    validate_params(CATALOGUE.get(c.template), c.params, None),
                                    _columns(c.main)) is None]
    assert settled  # e.g. a regression's wide shape: no id, nothing about the rows
    assert asked  # panels: whether id and time identify the rows needs the rows


def test_clock_times_are_whole_only_at_midnight(tmp_path: Path) -> None:
    stamps = pd.to_datetime(["2023-01-02 10:30", "2023-01-03 00:00", "2023-01-02 10:30",
                             "2023-01-03 00:00"])
    frame = pd.DataFrame({"firm": [1, 1, 2, 2], "t": stamps, "day": stamps.normalize()})
    path = tmp_path / "clock.dta"
    frame.to_stata(path, write_index=False, version=118, convert_dates={"t": "tc", "day": "tc"})
    probe, whole = FileProbe(path, _columns(frame)), FrameProbe(pd.read_stata(path))
    for name in ("t", "day"):
        assert probe.integer_valued(name) is whole.integer_valued(name)
    assert not probe.integer_valued("t")
    assert probe.integer_valued("day")
    assert probe.identifies_rows(["firm", "t"])
    assert not probe.identifies_rows(["firm"])


def test_read_columns_gives_only_the_named_columns_as_pandas_reads_them(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"a": rng.normal(size=50), "b": rng.integers(0, 5, 50).astype("int8"),
                          "s": rng.choice(["x", "yy", "ünï"], 50), "note": ["z" * 3000] * 50})
    frame.loc[[3, 7], "a"] = np.nan
    path = tmp_path / "mixed.dta"
    frame.to_stata(path, write_index=False, version=118, convert_strl=["note"])
    values, formats = read_columns(path, ["s", "a", "note", "nope"])
    assert list(values) == ["s", "a", "note"]
    reference = pd.read_stata(path)
    np.testing.assert_array_equal(np.isnan(values["a"]), reference["a"].isna())
    np.testing.assert_allclose(values["a"][~np.isnan(values["a"])], reference["a"].dropna())
    assert list(values["s"]) == list(reference["s"])
    assert list(values["note"]) == list(reference["note"])
    assert formats["a"] == "%10.0g"


@pytest.fixture(scope="module")
def _readers() -> None:
    multiprocessing.set_forkserver_preload(FORKSERVER_PRELOAD)


@pytest.mark.usefixtures("_readers")
def test_the_check_in_a_reader_child_keeps_to_the_memory_limit(tmp_path: Path) -> None:
    case = next(c for c in ALL_CASES if c in SHAPED)
    meta = CATALOGUE.get(case.template)
    params = validate_params(meta, case.params, None)
    spec = meta.shapes[0]
    names = {str(params.values[p]) for p in (spec.id_param, spec.time_param, spec.j_param)
             if p and p in params.values}
    big = pd.concat([case.main] * (2_000_000 // len(case.main) + 1), ignore_index=True)
    path = tmp_path / "big.dta"
    big.to_stata(path, write_index=False, version=118)
    columns = _columns(big)
    # Room for the file's mapping and the columns asked about: the verdict comes back. (This
    # cap does not tell the column read from a whole read: on this 7-column file pandas'
    # whole read needs 176 MiB of address space against 128 for the columns, measured once.)
    room = path.stat().st_size + len(names) * len(big) * 8 * 4 + 200 * 1024**2
    found = call_isolated(shape_problems, path, meta, params, columns,
                          limits=Limits(memory_bytes=room))
    assert found == _pandas_verdict(path, case)
    with pytest.raises(ReadMemoryExceeded):
        call_isolated(shape_problems, path, meta, params, columns,
                      limits=Limits(memory_bytes=4 * 1024**2))
