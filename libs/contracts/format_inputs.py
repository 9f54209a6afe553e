"""Which raw files of an attempt each output format reads (docs/outputs.md): the rule the
formatter downloads by and the worker hands files over by (``FormatWork.inline``), so the two
never disagree about what a job's formats need.
"""

from __future__ import annotations

from libs.contracts.graphs import GRAPHS_DIR

#: Raw files copied as they are, by format.
RAW_FILES = {"log": "main.log", "do": "main.do"}

#: Formats whose files do not print the run context (input variables, timings, engine), so
#: rendering them needs no ``run.json``.
WITHOUT_CONTEXT = frozenset({"csv", "log", "do"})

#: Formats that embed the charts; they also return the chart files.
WITH_CHARTS = frozenset({"docx", "pdf", "html"})

#: Formats that show the run's figures (so rendering them reads ``graphs/``).
WITH_FIGURES = frozenset({*WITH_CHARTS, "xlsx", "png"})


def exported_figure(name: str) -> bool:
    """Whether raw file ``name`` of a do-file job is a picture its run exported (a PNG outside
    the graph list's folder): the reports embed it as a figure."""
    return name.lower().endswith(".png") and not name.startswith(f"{GRAPHS_DIR}/")


def needed(name: str, formats: list[str], dofile: bool = False) -> bool:
    """Whether rendering ``formats`` reads the raw file ``name``; ``dofile``: of a client's own
    do-file, whose exported pictures are figures too."""
    if name.startswith("results/"):
        return True  # the result tables (and declared figures) feed every report
    if name.startswith(f"{GRAPHS_DIR}/") or (dofile and exported_figure(name)):
        return not WITH_FIGURES.isdisjoint(formats)
    if name == "run.json":
        return not WITHOUT_CONTEXT.issuperset(formats)
    if name in RAW_FILES.values():
        return any(RAW_FILES.get(f) == name for f in formats)
    return "dta" in formats and name.endswith(".dta") and not name.startswith("inputs/")
