"""The run's figures in the reports: declared figures (results/*.png) first, then the graph
list (graphs/index.json) less what a declared figure already shows; each format embeds them
(read back with python-docx, pypdf, openpyxl and the html's data: URIs)."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import docx
import msgspec
import openpyxl
import pypdf
import pytest
from PIL import Image

from libs.contracts.graphs import GraphEntry, GraphList, encode
from libs.reports import (
    DeclaredOutput,
    ReportCode,
    ReportContext,
    ReportError,
    ResultBundle,
    render,
)
from libs.reports.figures import MAX_LISTED


def _png(colour: tuple[int, int, int], size: tuple[int, int] = (330, 240)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _attempt(raw: Path, *, entries: list[GraphEntry]) -> ReportContext:
    (raw / "results").mkdir(parents=True)
    (raw / "graphs").mkdir()
    (raw / "results" / "summary.csv").write_text("variable,mean\nx,1.5\n", encoding="utf-8")
    (raw / "results" / "fit.png").write_bytes(_png((200, 30, 30)))
    for k, entry in enumerate(entries):
        (raw / entry.file).write_bytes(_png((10, 20 + 40 * k, 200)))
    (raw / "graphs" / "index.json").write_bytes(encode(GraphList(graphs=entries)))
    return ReportContext(
        job_id="job-1", tenant="t", template_id="plots", template_title="Plots",
        template_version="1.0.0", engine="embedded", attempt=1,
        outputs=[DeclaredOutput(file="results/summary.csv", kind="table", title="Summary"),
                 DeclaredOutput(file="results/fit.png", kind="figure", title="Fitted line"),
                 DeclaredOutput(file="results/absent.png", kind="figure", title="Never made")])


ENTRIES = [
    GraphEntry(file="graphs/001-Graph.png", name="Graph", title="", command="scatter y x",
               exports=["results/fit.png"]),
    GraphEntry(file="graphs/002-hist.png", name="hist", title="Distribution of x",
               command="histogram x", exports=["hist.svg"]),
    GraphEntry(file="graphs/003-Graph.png", name="Graph", title="", command="kdensity x"),
]


def test_declared_figures_first_then_the_graph_list_without_repeats(tmp_path: Path) -> None:
    context = _attempt(tmp_path / "raw", entries=ENTRIES)
    bundle = ResultBundle.load(tmp_path / "raw" / "results", context)
    assert [(f.name, f.title) for f in bundle.figures] == [
        ("figure_fit", "Fitted line"), ("figure_002-hist", "Distribution of x"),
        ("figure_003-Graph", "kdensity x")]
    assert bundle.figures[0].png == (tmp_path / "raw" / "results" / "fit.png").read_bytes()


def test_every_report_embeds_the_figures(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    bundle = ResultBundle.load(raw / "results", _attempt(raw, entries=ENTRIES))
    pictures = [f.png for f in bundle.figures]

    html = render("html", bundle, raw, out)
    page = html[0].read_text(encoding="utf-8")
    for png in pictures:
        assert base64.b64encode(png).decode("ascii") in page
    assert "Fitted line" in page
    assert "<h2>Figures</h2>" in page
    assert {p.name for p in html[1:]} >= {"figure_fit.png", "figure_003-Graph.png"}

    word = docx.Document(str(render("docx", bundle, raw, out)[0]))
    blobs = {shape._inline.graphic.graphicData.pic.blipFill.blip.embed
             for shape in word.inline_shapes}
    embedded = [word.part.related_parts[rid].blob for rid in blobs]
    assert all(png in embedded for png in pictures)

    reader = pypdf.PdfReader(render("pdf", bundle, raw, out)[0])
    images = [image for page in reader.pages for image in page.images]
    assert len(images) >= len(pictures)
    assert "Distribution of x" in "".join(page.extract_text() for page in reader.pages)

    book = openpyxl.load_workbook(render("xlsx", bundle, raw, out)[0])
    sheet = book["Figures"]
    assert len(sheet._images) == len(pictures)
    assert sheet["A1"].value == "Fitted line"

    written = render("png", bundle, raw, out)
    assert (out / "charts" / "figure_002-hist.png").read_bytes() == pictures[1]
    assert out / "charts" / "figure_fit.png" in written


def test_figures_of_the_same_name_in_different_folders_keep_their_own_files(
        tmp_path: Path) -> None:
    """A do-file on real Stata exporting a/fit.png and b/fit.png: two figures, two files."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    context = _attempt(raw, entries=[])
    for folder, colour in (("a", (0, 200, 0)), ("b", (0, 0, 250))):
        (raw / folder).mkdir()
        (raw / folder / "fit.png").write_bytes(_png(colour))
    context = msgspec.structs.replace(context, outputs=[
        *context.outputs, DeclaredOutput(file="a/fit.png", kind="figure", title="a/fit.png"),
        DeclaredOutput(file="b/fit.png", kind="figure", title="b/fit.png")])
    bundle = ResultBundle.load(raw / "results", context)
    assert [f.name for f in bundle.figures] == ["figure_fit", "figure_fit_2", "figure_fit_3"]
    written = render("png", bundle, raw, out)
    assert len(written) == len(set(written)) == 3
    for name, source in (("figure_fit", "results/fit.png"), ("figure_fit_2", "a/fit.png"),
                         ("figure_fit_3", "b/fit.png")):
        assert (out / "charts" / f"{name}.png").read_bytes() == (raw / source).read_bytes()


def test_graph_list_is_capped_and_paths_stay_in_the_attempt(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    many = [GraphEntry(file=f"graphs/{k:03d}-Graph.png", name="Graph", command=f"g{k}")
            for k in range(1, MAX_LISTED + 6)]
    context = _attempt(raw, entries=many)
    (tmp_path / "secret.png").write_bytes(_png((0, 0, 0)))
    index = json.loads((raw / "graphs" / "index.json").read_text())
    index["graphs"].insert(0, {"file": "../secret.png", "name": "x"})
    (raw / "graphs" / "index.json").write_text(json.dumps(index))
    bundle = ResultBundle.load(raw / "results", context)
    listed = [f for f in bundle.figures if f.name != "figure_fit"]
    assert len(listed) == MAX_LISTED
    assert listed[0].title == "g1"


def test_a_malformed_graph_list_is_a_report_error(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    context = _attempt(raw, entries=ENTRIES)
    (raw / "graphs" / "index.json").write_text('{"graphs": [{"name": 3}]}')
    with pytest.raises(ReportError) as err:
        ResultBundle.load(raw / "results", context)
    assert err.value.code is ReportCode.GRAPH_LIST_MALFORMED
    assert "graphs/index.json" in err.value.message


def test_without_graphs_nothing_changes(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "results").mkdir(parents=True)
    (raw / "results" / "summary.csv").write_text("variable,mean\nx,1.5\n", encoding="utf-8")
    context = ReportContext(job_id="j", tenant="t", template_id="x", template_title="X",
                            template_version="1.0.0", engine="stata", attempt=1)
    bundle = ResultBundle.load(raw / "results", context)
    assert bundle.figures == ()
    page = render("html", bundle, raw, tmp_path / "out")[0].read_text(encoding="utf-8")
    assert "Figures" not in page
    assert msgspec.json.decode(encode(GraphList())) == {"graphs": []}
