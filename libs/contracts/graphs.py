"""The graph list of an attempt: the one convention between whoever draws graphs (the
embedded engine) and the formatter that embeds them (docs/results.md, "Graphs").

Every graph the engine draws lands in the attempt's ``graphs/`` folder as a PNG, and
``graphs/index.json`` lists them in the order drawn, with the files ``graph export`` wrote
from each (where the do-file put them, relative to the attempt folder). The worker uploads
the folder with the other raw files; the formatter reads the index. Real Stata keeps no such
list: with it, only the graphs a template exports (and declares) reach the reports.
"""

from __future__ import annotations

import msgspec

#: Folder of the attempt that holds the graph list.
GRAPHS_DIR = "graphs"
#: The index file, relative to the attempt folder.
GRAPH_INDEX = f"{GRAPHS_DIR}/index.json"
#: File suffixes ``graph export`` writes (the worker collects them as raw artifacts).
GRAPH_SUFFIXES = frozenset({".png", ".svg", ".pdf", ".eps", ".ps", ".tif", ".tiff", ".jpg",
                            ".jpeg", ".gph"})


class GraphEntry(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One drawn graph."""

    file: str  #: ``graphs/<nnn>-<name>.png``, relative to the attempt folder
    name: str  #: its name in graph memory (``Graph`` unless ``name()`` says otherwise)
    title: str = ""  #: its title, lines joined by a blank
    command: str = ""  #: the command line that drew it
    exports: list[str] = msgspec.field(default_factory=list)  #: files exported from it


class GraphList(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """``graphs/index.json``."""

    graphs: list[GraphEntry] = msgspec.field(default_factory=list)


def encode(index: GraphList) -> bytes:
    """The index as pretty JSON."""
    return msgspec.json.format(msgspec.json.encode(index))


def decode(data: bytes) -> GraphList:
    """Read an index; ``msgspec.DecodeError`` when it is not one."""
    return msgspec.json.decode(data, type=GraphList)
