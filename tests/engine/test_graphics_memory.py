"""Graph memory and files: name(), nodraw, saving(), graph export/save/use/display/combine/
drop/rename/dir, schemes, the run's graph list, and that a do-file without graphs never
imports matplotlib."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pypdf
import pytest

from libs.engine.graphics.model import from_json, to_json
from tests.engine.graphs import DATA, drawn, graph, index, plot_axes, png_size

ROOT = Path(__file__).resolve().parents[2]


def test_export_writes_png_svg_and_pdf_and_records_them(stata, tmp_path: Path) -> None:
    run = stata(DATA + """
scatter y x, title("Export me")
graph export out/fig.png, width(1200)
graph export fig.svg
graph export "fig.pdf"
graph export fig.eps
""".replace("out/fig", "fig") + "mkdir out\ngraph export out/fig.png, height(300)\n")
    assert run.rc == 0, run.log
    assert png_size(tmp_path / "fig.png")[0] == 1200
    assert png_size(tmp_path / "out" / "fig.png")[1] == 300
    root = ET.parse(tmp_path / "fig.svg").getroot()
    assert root.tag.endswith("svg")
    assert len(list(root.iter())) > 50
    reader = pypdf.PdfReader(tmp_path / "fig.pdf")
    assert len(reader.pages) == 1
    assert "Export me" in reader.pages[0].extract_text()
    assert (tmp_path / "fig.eps").read_bytes().startswith(b"%!PS-Adobe")
    assert "file fig.png saved as PNG format" in run.output
    assert "file fig.svg saved as SVG format" in run.output
    (entry,) = index(tmp_path)
    assert entry["exports"] == ["fig.png", "fig.svg", "fig.pdf", "fig.eps", "out/fig.png"]


def test_export_is_deterministic(stata, tmp_path: Path) -> None:
    run = stata(DATA + "scatter y x\nforeach f in png svg pdf {\n"
                       "graph export a.`f'\ngraph export b.`f'\n}\n")
    assert run.rc == 0, run.log
    for suffix in ("png", "svg", "pdf"):
        first = (tmp_path / f"a.{suffix}").read_bytes()
        assert first == (tmp_path / f"b.{suffix}").read_bytes(), suffix


@pytest.mark.parametrize(("lines", "code"), [
    ("scatter y x\ngraph export fig.png\ngraph export fig.png", 602),
    ("graph export fig.png", 111),
    ("scatter y x\ngraph export fig.bmpx", 198),
    ("scatter y x\ngraph export ../fig.png", 603),
    ("scatter y x, name(a)\nscatter y x, name(a)", 110),
    ("scatter y x\ngraph export fig.png, name(nosuch)", 111),
    ("graph drop nosuch", 111),
    ("graph pie y, over(g)", 199),
])
def test_graph_file_and_memory_errors(stata, lines: str, code: int) -> None:
    assert stata(DATA + lines + "\n").rc == code


def test_export_replace_and_name_replace(stata, tmp_path: Path) -> None:
    run = stata(DATA + "scatter y x, name(a)\ngraph export fig.png\n"
                       "scatter x y, name(a, replace) nodraw\ngraph export fig.png, replace "
                       "name(a)\n")
    assert run.rc == 0, run.log
    assert graph(run, "a").x.title == "Outcome"
    assert [e["name"] for e in index(tmp_path)] == ["a"]  # nodraw: drawn only on export


def test_nodraw_keeps_the_graph_out_of_the_list(stata, tmp_path: Path) -> None:
    run = stata(DATA + "scatter y x, nodraw\ngraph export fig.png\n")
    assert run.rc == 0, run.log
    assert not (tmp_path / "graphs").exists()
    assert (tmp_path / "fig.png").exists()


def test_save_use_round_trip_and_foreign_gph(stata, tmp_path: Path) -> None:
    run = stata(DATA + "twoway (scatter y x) (lfit y x), title(T) saving(first)\n"
                       "graph save Graph second, replace\ngraph drop _all\n"
                       "graph use first, name(back)\ngraph dir\n")
    assert run.rc == 0, run.log
    assert (tmp_path / "first.gph").exists()
    assert (tmp_path / "second.gph").exists()
    back = graph(run, "back")
    assert back.title == ["T"]
    assert len(back.panels[0].layers) == 2
    assert "  back" in run.output
    (tmp_path / "stata.gph").write_bytes(b"\x00Stata binary graph")
    assert stata("graph use stata\n").rc == 610
    assert from_json(to_json(back)) == back


def test_display_rename_describe_and_schemes(stata, tmp_path: Path) -> None:
    run = stata(DATA + "scatter y x\ngraph rename first\ngraph display first, scheme(s1mono)\n"
                       "set scheme s1color\nscatter y x\ndisplay c(scheme)\n")
    assert run.rc == 0, run.log
    assert [e["name"] for e in index(tmp_path)] == ["Graph", "first", "Graph"]
    assert "s1color" in run.output
    assert graph(run).scheme == "s1color"
    assert graph(run, "first").scheme == "s2color"
    s2 = drawn(run, "first").get_facecolor()[:3]
    assert s2 == pytest.approx((234 / 255, 242 / 255, 243 / 255))
    assert drawn(run).get_facecolor()[:3] == (1.0, 1.0, 1.0)


def test_combine_draws_every_part(stata, tmp_path: Path) -> None:
    run = stata(DATA + "scatter y x, name(a)\nhistogram x, name(b) saving(b)\n"
                       "graph bar y, over(g) name(c)\n"
                       "graph combine a b.gph c, cols(2) title(\"All three\")\n")
    assert run.rc == 0, run.log
    combined = graph(run)
    assert combined.family == "combine"
    assert [p.family for p in combined.parts] == [
        "twoway", "twoway", "bar"]
    assert len(plot_axes(drawn(run))) == 3
    assert index(tmp_path)[-1]["title"] == "All three"


def test_graph_list_names_every_drawn_graph_in_order(stata, tmp_path: Path) -> None:
    run = stata(DATA + "forvalues k = 1/3 {\nscatter y x if g == `k', name(g`k')\n}\n"
                       "histogram x\n")
    assert run.rc == 0, run.log
    entries = index(tmp_path)
    assert [e["file"] for e in entries] == ["graphs/001-g1.png", "graphs/002-g2.png",
                                             "graphs/003-g3.png", "graphs/004-Graph.png"]
    assert entries[3]["command"] == "histogram x"
    for entry in entries:
        assert png_size(tmp_path / str(entry["file"])) == (825, 600)


def test_a_do_file_without_graphs_never_imports_matplotlib(tmp_path: Path) -> None:
    probe = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from libs.engine.batch import preload, run_do_file
        preload()
        do = Path({str(tmp_path)!r}) / "plain.do"
        do.write_text("set obs 5\\ngen x = _n\\nsummarize x\\n")
        assert run_do_file(do, do.parent) == 0
        print("matplotlib" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "False", done.stderr
