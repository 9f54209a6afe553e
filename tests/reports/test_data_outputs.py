"""json (against the published schema), csv, dta, raw files and charts, read back."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import jsonschema
import msgspec
import pandas as pd
import pyreadstat
import pytest
from PIL import Image

from dev.report_samples import LABELS, grunfeld, stata_order
from libs.fonts import missing_glyphs_allowed, use_in_matplotlib
from libs.reports import DeclaredOutput, ResultBundle, Table, render
from libs.reports.charts import _coefficient_plot, coefficient_chart
from libs.reports.renderers.jsondoc import results_schema
from tests.reports.conftest import Rendered, expected_stars

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "results.schema.json"


def test_published_schema_is_current() -> None:
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == results_schema(), (
        "regenerate with: .venv/bin/python docs/schemas/generate.py")


def test_json_validates_and_carries_models_and_context(rendered: dict[str, list[Path]],
                                                       sample: Rendered) -> None:
    (path,) = rendered["json"]
    assert path.name == "results.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(
        document)
    assert document["template"] == {"id": "ols_compare", "version": "1.2.0",
                                    "title": "投资回归 Investment regressions"}
    assert document["params"]["indepvars"] == ["value", "capital"]
    assert document["timings"]["run_seconds"] == 6.8
    for model, fit in zip(document["models"], sample.fits, strict=True):
        res = fit.result
        assert model["name"] == fit.name
        assert model["n"] == int(res.nobs)
        assert model["stats"]["F"] == pytest.approx(float(res.fvalue), rel=1e-15)
        terms = stata_order(res)
        assert [c["coef"] for c in model["coefficients"]] == [float(res.params[t])
                                                              for t in terms]
        assert [c["se"] for c in model["coefficients"]] == [float(res.bse[t]) for t in terms]
        assert [c["stars"] for c in model["coefficients"]] == [
            expected_stars(res.pvalues[t]) for t in terms]
    comments = next(t for t in document["tables"] if t["name"] == "comments")
    assert comments["rows"][3] == [4, "+1 call", None]


def test_csv_zip_holds_every_table_neutralised(rendered: dict[str, list[Path]],
                                               sample: Rendered) -> None:
    (path,) = rendered["csv"]
    assert path.name == "results.zip"
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["coefficients.csv", "model_stats.csv", "models.csv",
                                      "summary.csv", "firm_counts.csv", "comments.csv"]
        comments = list(csv.reader(io.StringIO(
            archive.read("comments.csv").decode("utf-8-sig"))))
        coefficients = pd.read_csv(io.BytesIO(archive.read("coefficients.csv")))
        summary = archive.read("summary.csv").decode("utf-8-sig")
    assert comments == [["id", "comment", "change"],
                        ["1", "'=HYPERLINK(\"http://example.invalid\",\"x\")", "-3.5"],
                        ["2", "'-5 dollars", "2.25"], ["3", "'@SUM(A1:A2)", "-0.125"],
                        ["4", "'+1 call", ""], ["5", "正常的备注", "7.0"]]
    assert LABELS["capital"] in summary
    m1 = coefficients[coefficients["model"] == "m1"]
    res = sample.fits[0].result
    assert m1["coef"].tolist() == [float(res.params[t]) for t in stata_order(res)]


def test_single_table_is_a_plain_csv(sample: Rendered, tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": ["-x", "y"], "value": [-1.5, 2.0]})
    bundle = ResultBundle(sample.bundle.context, [], [Table("one", "One", "table", frame)])
    (path,) = render("csv", bundle, sample.raw_dir, tmp_path)
    assert path.name == "results.csv"
    assert path.read_bytes() == "\ufeffname,value\n'-x,-1.5\ny,2.0\n".encode()


def test_dta_keeps_values_and_labels(rendered: dict[str, list[Path]]) -> None:
    (path,) = rendered["dta"]
    assert path.name == "collapsed.dta"
    frame, meta = pyreadstat.read_dta(str(path))
    data = grunfeld()
    expected = data.groupby("year", as_index=False)[["invest", "value", "capital"]].mean()
    assert frame["invest"].tolist() == pytest.approx(expected["invest"].tolist(), rel=1e-12)
    assert meta.column_names_to_labels["capital"] == LABELS["capital"]
    assert meta.file_label == "Yearly means"


def test_raw_log_and_do_are_copied(rendered: dict[str, list[Path]], sample: Rendered) -> None:
    for fmt, name in (("log", "main.log"), ("do", "main.do")):
        (path,) = rendered[fmt]
        assert path.name == name
        assert path.read_bytes() == (sample.raw_dir / name).read_bytes()


def test_png_charts_are_real_images(rendered: dict[str, list[Path]]) -> None:
    paths = rendered["png"]
    assert [p.relative_to(p.parent.parent).as_posix() for p in paths] == [
        "charts/coefplot.png", "charts/firm_counts.png"]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_charts_have_the_pixels_of_matplotlibs_savefig(sample: Rendered) -> None:
    """The charts are drawn straight through Agg; matplotlib's own savefig of the same
    figure at the same dpi gives the same picture."""
    with missing_glyphs_allowed():
        use_in_matplotlib()
        figure = _coefficient_plot(sample.bundle.models)
        assert figure is not None
        figure.tight_layout()
        reference = io.BytesIO()
        figure.savefig(reference, format="png", dpi=150)
    chart = coefficient_chart(sample.bundle)
    assert chart is not None
    ours, theirs = Image.open(io.BytesIO(chart.png)), Image.open(reference)
    assert ours.mode == "RGB"
    assert theirs.getextrema()[3] == (255, 255)  # the alpha channel left out was opaque
    assert ours.tobytes() == theirs.convert("RGB").tobytes()


def test_csv_dataset_output_gets_variable_map_labels(sample: Rendered, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "results").mkdir(parents=True)
    (raw / "results" / "panel.csv").write_text("firm,capital\nIBM,1.5\n通用,2.5\n",
                                               encoding="utf-8")
    context = msgspec.structs.replace(sample.bundle.context, outputs=[
        DeclaredOutput(file="results/panel.csv", kind="dataset", title="Panel")])
    bundle = ResultBundle.load(raw / "results", context)
    (path,) = render("dta", bundle, raw, tmp_path / "out")
    frame, meta = pyreadstat.read_dta(str(path))
    assert path.name == "panel.dta"
    assert frame["firm"].tolist() == ["IBM", "通用"]
    assert frame["capital"].tolist() == [1.5, 2.5]
    assert meta.column_names_to_labels == {"firm": LABELS["firm"], "capital": LABELS["capital"]}


def test_histogram_for_a_single_numeric_column(sample: Rendered, tmp_path: Path) -> None:
    frame = pd.DataFrame({"residual": [i / 7 - 3 for i in range(50)]})
    text = pd.DataFrame({"word": ["a", "b"], "other": ["c", "d"]})
    bundle = ResultBundle(sample.bundle.context, [], [
        Table("resid", "Residuals", "table", frame), Table("words", "Words", "table", text)])
    paths = render("png", bundle, sample.raw_dir, tmp_path)
    assert [p.name for p in paths] == ["resid.png"]
