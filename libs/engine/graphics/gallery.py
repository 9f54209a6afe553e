"""The session's graphs: keeping one by name, drawing it into the run's graph list
(``graphs/<nnn>-<name>.png`` and ``graphs/index.json``, libs.contracts.graphs), exporting,
saving and reading ``.gph`` files.

Rendering imports :mod:`libs.engine.graphics.draw` (and with it matplotlib) on first use.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from libs.contracts import graphs as graph_list
from libs.engine.errors import StataError
from libs.engine.graphics.decor import GraphRequest, decorate
from libs.engine.graphics.model import DEFAULT_NAME, Graph, from_json, to_json
from libs.engine.graphics.schemes import SCHEMES
from libs.engine.session import Session

#: Suffixes ``graph export`` writes, and how Stata names each format in its message.
EXPORT_FORMATS = {"png": "PNG", "svg": "SVG", "pdf": "PDF", "eps": "EPS", "ps": "PS",
                  "tif": "TIFF", "tiff": "TIFF", "jpg": "JPEG", "jpeg": "JPEG"}
_GPH_MAGIC = b'{"ss_graph":1,'


def note_ignored(session: Session, ignored: list[str]) -> None:
    """Say once per run which options the engine accepted without drawing them."""
    fresh = [name for name in dict.fromkeys(ignored)
             if name not in session.graphs.notes_given]
    if fresh:
        session.graphs.notes_given.update(fresh)
        session.log.out(f"(note: the embedded engine draws without option"
                        f"{'s' if len(fresh) > 1 else ''} {', '.join(fresh)})")


def keep(session: Session, graph: Graph, request: GraphRequest, ignored: list[str]) -> None:
    """Hold ``graph`` under its name, draw it into the graph list unless ``nodraw``, and
    write ``saving()``."""
    name = request.name or DEFAULT_NAME
    memory = session.graphs
    if name != DEFAULT_NAME and name in memory.graphs and not request.replace:
        raise StataError(110, f"graph {name} already exists")
    graph.name = name
    memory.graphs[name] = graph
    memory.current = name
    if graph.scheme.lower() not in SCHEMES:
        ignored = [*ignored, f"scheme({graph.scheme}), drawn as s2color"]
    note_ignored(session, ignored)
    if not request.nodraw:
        show(session, graph)
    if request.saving is not None:
        save(session, graph, request.saving, replace=request.saving_replace)


def publish(session: Session, graph: Graph, request: GraphRequest, ignored: list[str]) -> None:
    """Apply the command's graph options onto ``graph`` (built by the command itself), then
    :func:`keep` it."""
    if request.scheme:
        graph.scheme = request.scheme
    decorate(graph, request.decor, ignored)
    keep(session, graph, request, ignored)


def current(session: Session, name: str | None = None) -> Graph:
    """The graph called ``name`` (default: the current one); r(111) when there is none."""
    memory = session.graphs
    wanted = name or memory.current
    if not wanted or wanted not in memory.graphs:
        raise StataError(111, f"graph {wanted or DEFAULT_NAME} not found" if wanted or name
                         else "no graph in memory")
    return memory.graphs[wanted]


def show(session: Session, graph: Graph) -> None:
    """Draw ``graph`` into the graph list."""
    from libs.engine.graphics.draw import render

    memory = session.graphs
    memory.current = graph.name
    rel = f"{graph_list.GRAPHS_DIR}/{len(memory.shown) + 1:03d}-{graph.name}.png"
    _write(session.workdir / rel, render(graph, "png"))
    memory.shown.append(graph_list.GraphEntry(
        file=rel, name=graph.name, title=" ".join(graph.title), command=graph.command))
    _write_index(session)


def export(session: Session, filename: str, *, name: str | None, fmt: str | None,
           replace: bool, width: int | None, height: int | None) -> Path:
    """``graph export``: write the graph in the format its suffix (or ``as()``) names."""
    from libs.engine.graphics.draw import render

    graph = current(session, name)
    target = session.path(filename)
    suffix = (fmt or target.suffix.lstrip(".")).lower()
    if suffix not in EXPORT_FORMATS:
        raise StataError(198, f"could not determine file format of {filename}; use suffix "
                              ".png, .svg, .pdf, .eps, .tif or .jpg, or as()")
    if target.exists() and not replace:
        raise StataError(602, f"file {filename} already exists")
    _write(target, render(graph, suffix, width=width, height=height))
    session.log.out(f"file {filename} saved as {EXPORT_FORMATS[suffix]} format")
    rel = _relative(session, target)
    memory = session.graphs
    for index in range(len(memory.shown) - 1, -1, -1):
        entry = memory.shown[index]
        if entry.name == graph.name:
            if rel is not None and rel not in entry.exports:
                memory.shown[index] = msgspec.structs.replace(
                    entry, exports=[*entry.exports, rel])
                _write_index(session)
            break
    return target


def save(session: Session, graph: Graph, filename: str, *, replace: bool) -> Path:
    """``graph save``/``saving()``: the graph as a ``.gph`` file (SS's own JSON, see
    docs/engine.md: Stata's binary ``.gph`` is not written or read)."""
    target = session.path(filename, ext=".gph")
    if target.exists() and not replace:
        raise StataError(602, f"file {target.name} already exists")
    _write(target, _GPH_MAGIC + to_json(graph)[1:])
    session.log.out(f"file {target.name} saved")
    return target


def load(session: Session, filename: str) -> Graph:
    """A graph from a ``.gph`` file ``graph save`` wrote; r(610) for any other file."""
    target = session.path(filename, ext=".gph", must_exist=True)
    data = target.read_bytes()
    if not data.startswith(_GPH_MAGIC):
        raise StataError(610, f"file {target.name} not a graph the embedded engine saved "
                              "(Stata's own .gph format is not read)")
    try:
        return from_json(b"{" + data[len(_GPH_MAGIC):])
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise StataError(610, f"file {target.name} is damaged: {exc}") from exc


def _relative(session: Session, path: Path) -> str | None:
    try:
        return path.relative_to(session.workdir).as_posix()
    except ValueError:
        return None


def _write_index(session: Session) -> None:
    index = graph_list.GraphList(graphs=list(session.graphs.shown))
    _write(session.workdir / graph_list.GRAPH_INDEX, graph_list.encode(index))


def _write(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
