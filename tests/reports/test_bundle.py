"""Parsing results/*.csv: models side by side, generic tables, and clear shape errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dev.report_samples import stata_order
from libs.reports import ReportCode, ReportError, ResultBundle
from tests.reports.conftest import Rendered


def test_models_are_parsed_in_stored_order_with_exact_numbers(sample: Rendered) -> None:
    models = sample.bundle.models
    assert [m.name for m in models] == ["m1", "m2", "m3"]
    for model, fit in zip(models, sample.fits, strict=True):
        res = fit.result
        terms = stata_order(res)
        assert [c.coef for c in model.coefficients] == [float(res.params[t]) for t in terms]
        assert [c.se for c in model.coefficients] == [float(res.bse[t]) for t in terms]
        assert model.n == int(res.nobs)
        assert model.stats["r2"] == float(res.rsquared)
    assert models[2].vce == "cluster"
    assert models[2].clustvar == "firm"
    assert models[0].coefficients[-1].term == "_cons"


def test_generic_tables_follow_declared_order_and_titles(sample: Rendered) -> None:
    tables = sample.bundle.tables
    assert [t.name for t in tables] == ["summary", "firm_counts", "comments"]
    assert tables[0].title == "Summary statistics"
    assert tables[0].frame["N"].tolist() == [220, 220, 220]


def _copy(sample: Rendered, tmp_path: Path) -> Path:
    results = tmp_path / "results"
    shutil.copytree(sample.raw_dir / "results", results)
    return results


def _load_error(results: Path, sample: Rendered) -> ReportError:
    with pytest.raises(ReportError) as caught:
        ResultBundle.load(results, sample.bundle.context)
    return caught.value


def test_missing_column_names_the_file(sample: Rendered, tmp_path: Path) -> None:
    results = _copy(sample, tmp_path)
    path = results / "coefficients.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n",
                    encoding="utf-8")
    error = _load_error(results, sample)
    assert error.code == ReportCode.RESULT_TABLE_MALFORMED
    assert "results/coefficients.csv" in error.message
    assert "omitted" in error.message


def test_non_numeric_coefficient_names_row_and_column(sample: Rendered, tmp_path: Path) -> None:
    results = _copy(sample, tmp_path)
    path = results / "coefficients.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = lines[2].split(",")
    fields[3] = "oops"
    lines[2] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    error = _load_error(results, sample)
    assert error.code == ReportCode.RESULT_TABLE_MALFORMED
    assert "results/coefficients.csv: row 3 column coef: 'oops'" in error.message


@pytest.mark.parametrize(("content", "detail"), [
    (b"a,b\n1,2\n3,4,5\n", "Expected 2 fields"),
    (b"a,a\n1,2\n", "appears twice"),
    (b"", "empty file"),
    (b"a,\n1,2\n", "has no name"),
    (b"name\n\xff\xfe\n", "not UTF-8"),
])
def test_malformed_generic_table_names_the_file(sample: Rendered, tmp_path: Path,
                                                content: bytes, detail: str) -> None:
    results = _copy(sample, tmp_path)
    (results / "broken.csv").write_bytes(content)
    error = _load_error(results, sample)
    assert error.code == ReportCode.RESULT_TABLE_MALFORMED
    assert error.message.startswith("results/broken.csv: ")
    assert detail in error.message


def test_statistics_of_an_unknown_model_are_refused(sample: Rendered, tmp_path: Path) -> None:
    results = _copy(sample, tmp_path)
    with (results / "model_stats.csv").open("a", encoding="utf-8") as handle:
        handle.write("ghost,N,10\n")
    error = _load_error(results, sample)
    assert error.code == ReportCode.RESULT_MODELS_INCONSISTENT
    assert "ghost" in error.message


def test_without_models_csv_models_keep_first_appearance(sample: Rendered,
                                                         tmp_path: Path) -> None:
    results = _copy(sample, tmp_path)
    (results / "models.csv").unlink()
    bundle = ResultBundle.load(results, sample.bundle.context)
    assert [(m.name, m.title) for m in bundle.models] == [("m1", "m1"), ("m2", "m2"),
                                                          ("m3", "m3")]
