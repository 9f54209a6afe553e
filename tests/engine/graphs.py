"""Helpers for graphics tests: a dataset, the drawn figure of a graph, the graph list."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from libs.engine.graphics.draw import figure
from libs.engine.graphics.model import Graph
from tests.engine.conftest import Run

#: A small dataset as an ``input`` block: y, x, a group with value labels, a weight.
DATA = """
clear
set seed 11
set obs 120
gen double x = round(runiform()*20, .01)
gen double y = 3 + 0.4*x + rnormal()*2
gen byte g = mod(_n, 3) + 1
gen w = mod(_n, 4) + 1
gen double lo = y - 1
gen double hi = y + 1.5
label variable y "Outcome"
label variable x "Dose"
label define gl 1 "Low" 2 "Mid" 3 "High"
label values g gl
"""


def frame(run: Run, *names: str) -> pd.DataFrame:
    """Columns of the run's final dataset as a DataFrame."""
    return pd.DataFrame({name: np.asarray(run.col(name), dtype=float) for name in names})


def graph(run: Run, name: str = "Graph") -> Graph:
    """The graph ``name`` in the run's graph memory."""
    return run.session.graphs.graphs[name]


def drawn(run: Run, name: str = "Graph") -> Figure:
    """The matplotlib figure of graph ``name`` (drawn again from the model)."""
    return figure(graph(run, name))


def plot_axes(fig: Figure) -> list:  # type: ignore[type-arg]
    """The visible plot axes of a figure (``Figure.axes`` includes its sub-figures')."""
    return [ax for ax in fig.axes if ax.get_visible()]


def legends(fig: Figure) -> list:  # type: ignore[type-arg]
    """The legends of a figure and of its sub-figures (the body above a note strip)."""
    found = list(fig.legends)
    for sub in fig.subfigs:
        found += legends(sub)  # type: ignore[arg-type]
    return found


def titles(fig: Figure) -> list[str]:
    """The super-titles of a figure and its sub-figures."""
    found = [fig.get_suptitle()] if fig.get_suptitle() else []
    for sub in fig.subfigs:
        found += titles(sub)  # type: ignore[arg-type]
    return found


def lines(ax) -> list[Line2D]:  # type: ignore[no-untyped-def]
    """Line2D artists of an axes that carry data."""
    return [line for line in ax.get_lines() if len(line.get_xdata())]


def index(workdir: Path) -> list[dict[str, object]]:
    """The entries of ``graphs/index.json``."""
    data = json.loads((workdir / "graphs" / "index.json").read_text(encoding="utf-8"))
    return list(data["graphs"])


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG (opening it also proves it is one)."""
    with Image.open(io.BytesIO(path.read_bytes())) as image:
        assert image.format == "PNG"
        return image.size
