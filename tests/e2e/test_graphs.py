"""A job whose template draws and exports graphs, end to end: the exported files and the
graph list are raw artifacts of the attempt, the declared figure and the other drawn graphs
are embedded in the html, pdf, docx and xlsx reports."""

from __future__ import annotations

import base64
import io
import json

import docx
import openpyxl
import pypdf
import pytest

from dev.stack import Client, Stack, csv_bytes

pytestmark = pytest.mark.slow


async def test_graphs_become_artifacts_and_are_embedded_in_the_reports(
    stack: Stack, client: Client
) -> None:
    job_id = await client.run("plotted", {"yvar": "y", "xvar": "x"}, csv_bytes(30),
                              formats=["html", "pdf", "docx", "xlsx", "png"])
    job = await client.wait(job_id, timeout=120)
    assert job["state"] == "succeeded", job["error"]
    raw = {a["name"]: a for a in job["artifacts"] if a["kind"] == "raw"}
    assert {"results/fit.png", "hist.svg", "graphs/index.json", "graphs/001-Graph.png",
            "graphs/002-Graph.png"} <= set(raw)
    assert raw["results/fit.png"]["content_type"] == "image/png"

    async def fetch(name: str) -> bytes:
        response = await client.http.get(f"/v1/jobs/{job_id}/artifacts/{name}")
        assert response.status_code == 200, (name, response.text)
        return response.content

    index = json.loads(await fetch("graphs/index.json"))["graphs"]
    assert [(g["title"], g["exports"]) for g in index] == [
        ("Scatter", []), ("Fit", ["results/fit.png"])]
    assert (await fetch("hist.svg")).lstrip().startswith(b"<?xml")
    fit, scatter = await fetch("results/fit.png"), await fetch("graphs/001-Graph.png")
    assert fit.startswith(b"\x89PNG")
    assert scatter.startswith(b"\x89PNG")

    outputs = {a["name"] for a in job["artifacts"] if a["kind"] == "output"}
    assert {"report.html", "report.pdf", "report.docx", "report.xlsx",
            "charts/figure_fit.png", "charts/figure_001-Graph.png"} <= outputs
    html = (await fetch("report.html")).decode("utf-8")
    for png in (fit, scatter):
        assert base64.b64encode(png).decode("ascii") in html
    assert "Linear fit" in html
    word = docx.Document(io.BytesIO(await fetch("report.docx")))
    blobs = [rel.target_part.blob for rel in word.part.rels.values()
             if "image" in rel.reltype]
    assert fit in blobs
    assert scatter in blobs
    pdf = pypdf.PdfReader(io.BytesIO(await fetch("report.pdf")))
    assert sum(len(page.images) for page in pdf.pages) >= 2
    assert "Linear fit" in "".join(page.extract_text() for page in pdf.pages)
    book = openpyxl.load_workbook(io.BytesIO(await fetch("report.xlsx")))
    assert len(book["Figures"]._images) == 2
