"""Figures: pictures a report embeds — the charts the formatter draws (``Chart``, made in
libs/reports/charts.py) and the graphs the run drew (:func:`load_figures`).

The run's graphs come from two sources, in this order (docs/results.md, "Graphs"):

1. every output the template declares with kind ``figure`` (a PNG it wrote with
   ``graph export results/<name>.png``; any engine, real Stata included), in declared order,
   with its declared title;
2. the run's graph list ``graphs/index.json`` (the embedded engine's: every graph drawn), in
   the order drawn, less those whose export is already a declared figure; captioned with the
   graph's title, else the command that drew it. At most :data:`MAX_LISTED` of them.

A declared figure the run did not write is left out, as a declared table is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import msgspec

from libs.contracts import graphs as graph_list
from libs.reports.context import ReportContext
from libs.reports.errors import ReportCode, ReportError


@dataclass(frozen=True, slots=True)
class Chart:
    """A picture of the report: file stem, caption and PNG bytes (a chart the formatter drew,
    or a figure of the run)."""

    name: str
    title: str
    png: bytes

    @property
    def file(self) -> str:
        """Where the chart goes in the outputs."""
        return f"charts/{self.name}.png"


#: Graphs from the graph list a report embeds at most (a loop can draw hundreds).
MAX_LISTED = 50

_PNG = b"\x89PNG\r\n\x1a\n"


def load_figures(raw_dir: Path, context: ReportContext) -> list[Chart]:
    """The figures of the attempt in ``raw_dir``, as charts named ``figure_<stem>``; a stem
    met again (``results/fit.png`` and ``graphs/fit.png``) gets ``_2``, ``_3``... so no
    figure's file overwrites another's."""
    found: list[Chart] = []
    declared: set[str] = set()
    names: set[str] = set()

    def add(file: str, title: str, png: bytes) -> None:
        name = base = f"figure_{Path(file).stem}"
        count = 1
        while name in names:
            count += 1
            name = f"{base}_{count}"
        names.add(name)
        found.append(Chart(name, title, png))

    for output in context.outputs:
        if output.kind != "figure":
            continue
        declared.add(output.file)
        png = _png(raw_dir, output.file)
        if png is not None:
            add(output.file, output.title, png)
    listed = 0
    for entry in _graph_list(raw_dir):
        if declared.intersection(entry.exports) or listed >= MAX_LISTED:
            continue
        png = _png(raw_dir, entry.file)
        if png is None:
            continue
        listed += 1
        add(entry.file, entry.title or entry.command or f"Graph {entry.name}", png)
    return found


def graph_exports(raw_dir: Path) -> set[str]:
    """The files the attempt's graph list says were exported from a drawn graph (the graph
    list embeds those already, captioned with their graphs' titles)."""
    return {file for entry in _graph_list(raw_dir) for file in entry.exports}


def _graph_list(raw_dir: Path) -> list[graph_list.GraphEntry]:
    path = raw_dir / graph_list.GRAPH_INDEX
    if not path.is_file():
        return []
    try:
        return graph_list.decode(path.read_bytes()).graphs
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ReportError(ReportCode.GRAPH_LIST_MALFORMED,
                          f"{graph_list.GRAPH_INDEX}: {exc}") from exc


def _png(raw_dir: Path, rel: str) -> bytes | None:
    """The bytes of ``rel`` when it is a PNG inside the attempt, else None (the graph list
    is written by the do-file's process: a path out of the attempt is not followed)."""
    path = (raw_dir / rel).resolve()
    if not path.is_relative_to(raw_dir.resolve()) or not path.is_file():
        return None
    data = path.read_bytes()
    return data if data.startswith(_PNG) else None
