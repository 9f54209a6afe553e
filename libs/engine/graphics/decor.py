"""Options every graph command shares: titles, axes, added lines, legend, size, regions
(applied onto a built :class:`Graph`), and ``name()``, ``saving()``, ``nodraw``,
``scheme()``, ``by()`` (which decide what the command does with it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from libs.engine.errors import StataError
from libs.engine.graphics import options as opts
from libs.engine.graphics.data import By, by_request
from libs.engine.graphics.model import Graph
from libs.engine.macros import strip_quotes
from libs.engine.session import Session

#: Graph-wide option words (capitals: Stata's minimum abbreviation).
GRAPH_WORDS = opts.words(
    "TItle SUBtitle NOTE CAPtion XTItle YTItle XLAbel YLAbel XSCale YSCale XLIne YLIne "
    "LEGend NAME SAVing NODRaw DRAW SCHeme BY XSIZe YSIZe ASPECTratio GRAPHRegion PLOTRegion "
    "TEXT XTICk YTICk XMLAbel YMLAbel XMTIck YMTIck T1title T2title B1title B2title L1title "
    "L2title R1title R2title XOVERhangs YOVERhangs SCALE ISCale PLAY XCOMmon YCOMmon "
    "COMmonscheme FXSIZe FYSIZe XVARLabel YVARLabel XVARFormat YVARFormat ZLAbel")

_GRAPH_NAMES = frozenset(word.name for word in GRAPH_WORDS)

#: Graph-wide options the engine accepts without drawing them (noted nowhere: they change
#: spacing, ticks or text placement only).
_QUIET = frozenset({"text", "xtick", "ytick", "xmlabel", "ymlabel", "xmtick", "ymtick",
                    "t1title", "t2title", "b1title", "b2title", "l1title", "l2title",
                    "r1title", "r2title", "xoverhangs", "yoverhangs", "scale", "iscale",
                    "play", "xcommon", "ycommon", "commonscheme", "fxsize", "fysize",
                    "xvarlabel", "yvarlabel", "xvarformat", "yvarformat", "aspectratio",
                    "draw", "zlabel"})
_REGION = opts.words("Color FColor LColor ICOLor IFColor Margin Style LStyle LWidth "
                     "LPattern")


@dataclass
class GraphRequest:
    """What the options of one graph command ask for besides decorations."""

    decor: list[tuple[str, str | None]] = field(default_factory=list)
    name: str | None = None
    replace: bool = False  #: name(, replace)
    saving: str | None = None
    saving_replace: bool = False
    nodraw: bool = False
    scheme: str | None = None
    by: By | None = None
    ignored: list[str] = field(default_factory=list)
    extra: list[tuple[str, str | None]] = field(default_factory=list)  #: a command's own words

    def read(self, session: Session, options: list[tuple[str, str | None]]) -> None:
        """Take graph-wide options (full names, as :func:`opts.collect` found them)."""
        for name, arg in options:
            if name == "name":
                head, tail = opts.head_and_tail(arg or "")
                self.name = head.strip()
                self.replace = "replace" in tail.split()
                if not self.name.isidentifier():
                    raise StataError(198, f"name({arg}): invalid graph name")
            elif name == "saving":
                head, tail = opts.head_and_tail(arg or "")
                self.saving = strip_quotes(head.strip())
                self.saving_replace = "replace" in tail.split()
            elif name == "nodraw":
                self.nodraw = True
            elif name == "scheme":
                self.scheme = (arg or "").strip()
            elif name == "by":
                self.by = by_request(session, arg or "")
                self.ignored += self.by.ignored
                self.decor += self.by.decor
            elif name in _GRAPH_NAMES:
                self.decor.append((name, arg))
            else:
                self.extra.append((name, arg))


def decorate(graph: Graph, decor: list[tuple[str, str | None]], ignored: list[str]) -> None:
    """Apply titles, axis options, added lines, legend, size and regions onto ``graph``."""
    for name, arg in decor:
        value = arg or ""
        if name in ("title", "subtitle", "note", "caption"):
            setattr(graph, name, opts.texts(value))
        elif name in ("xtitle", "ytitle"):
            axis = graph.x if name == "xtitle" else graph.y
            axis.title = "\n".join(opts.texts(value))
        elif name in ("xlabel", "ylabel"):
            opts.axis_labels(graph.x if name == "xlabel" else graph.y, value, name, ignored)
        elif name in ("xscale", "yscale"):
            opts.axis_scale(graph.x if name == "xscale" else graph.y, value, name, ignored)
        elif name in ("xline", "yline"):
            lines = opts.reference_lines(value, name, ignored)
            for panel in graph.panels:
                (panel.xlines if name == "xline" else panel.ylines).extend(lines)
        elif name == "legend":
            opts.legend(graph.legend, value, ignored)
        elif name in ("xsize", "ysize"):
            size = opts.number(value, name)
            if not 1 <= size <= 100:
                raise StataError(198, f"{name}() must be between 1 and 100 inches")
            setattr(graph, name, size)
        elif name in ("graphregion", "plotregion"):
            _region(graph, name, value, ignored)
        elif name not in _QUIET:
            ignored.append(f"{name}()")


def _region(graph: Graph, which: str, value: str, ignored: list[str]) -> None:
    for name, arg in opts.split(opts.flat(value)):
        word = opts.match(name, _REGION)
        if word in ("color", "fcolor", "icolor", "ifcolor") and arg is not None:
            if which == "graphregion" and word in ("color", "fcolor"):
                graph.graph_color = arg.strip()
            else:
                graph.plot_color = arg.strip()
        elif word is None:
            ignored.append(f"{which}({name})")


def read_options(session: Session, text: str, extra: str = ""
                 ) -> tuple[GraphRequest, list[tuple[str, str | None]]]:
    """The graph-wide options of ``text`` (and the words of ``extra``, e.g. ``"COLs ROWs"``)
    read into a GraphRequest; every other option as typed, for the command to handle."""
    request = GraphRequest()
    collected = opts.collect(text, GRAPH_WORDS + opts.words(extra))
    request.read(session, collected.known)
    return request, collected.rest
