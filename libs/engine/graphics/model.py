"""What a graph is, as plain data: layers of points on panels, titles, axes, legend, scheme.

A graph command computes everything it plots (fitted lines, densities, bin heights, box
statistics) into a :class:`Graph`; drawing only turns these numbers into marks. Styles keep
Stata's own words (``navy``, ``Oh``, ``dash``, ``medthick``) and are resolved against the
scheme when drawn, so ``graph display, scheme()`` and ``graph save``/``graph use`` need nothing
else. The records are msgspec Structs: ``graph save`` writes one as JSON.

:class:`GraphMemory` is the session's graph window: graphs by name (``name()``), the current
graph, and the run's graph list (every graph drawn, in order).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec

from libs.contracts.graphs import GraphEntry

#: Twoway plot kinds a layer may be (how the points are drawn).
LAYER_KINDS = frozenset({
    "scatter", "line", "connected", "area", "bar", "spike", "dropline",
    "rarea", "rbar", "rcap", "rspike", "rline", "rconnected", "rscatter", "box"})

#: Name of the graph a command draws when no ``name()`` is given.
DEFAULT_NAME = "Graph"


class Style(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """How a layer looks, in Stata's words; empty means "the scheme's default"."""

    color: str = ""  #: color(): markers, lines and fills together
    mcolor: str = ""  #: marker colour
    lcolor: str = ""  #: line (and outline) colour
    fcolor: str = ""  #: fill colour of areas and bars
    msymbol: str = ""  #: O, Oh, D, T, S, +, X, p, i ... or circle, diamond ...
    msize: str = ""  #: small, medium, large ... or a number
    lpattern: str = ""  #: solid, dash, dot, dash_dot, shortdash, longdash, blank ...
    lwidth: str = ""  #: thin, medium, thick ... or a number
    pstyle: int = 0  #: plot style p1..p15 (0: by the layer's position)


class Box(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One box of a box plot: quartiles, median, adjacent values and outside values."""

    position: float
    q1: float
    median: float
    q3: float
    lower: float  #: lower adjacent value (whisker end)
    upper: float  #: upper adjacent value
    outside: list[float] = msgspec.field(default_factory=list)


class Layer(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One plot of a twoway graph (or the bars/boxes of a bar or box chart)."""

    kind: str
    x: list[float] = msgspec.field(default_factory=list)
    y: list[float] = msgspec.field(default_factory=list)
    y2: list[float] = msgspec.field(default_factory=list)  #: upper ends of range plots
    label: str = ""  #: its legend key's text
    keyed: bool = True  #: whether it has a legend key
    style: Style = msgspec.field(default_factory=Style)
    horizontal: bool = False
    bar_width: float | None = None
    base: float | None = None
    marker_labels: list[str] = msgspec.field(default_factory=list)
    boxes: list[Box] = msgspec.field(default_factory=list)


class RefLine(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An added line (``xline()``/``yline()``) at ``value``."""

    value: float
    style: Style = msgspec.field(default_factory=Style)


class Axis(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Title, labels and scale of one axis."""

    title: str = ""
    ticks: list[float] | None = None  #: explicit label positions (None: chosen nicely)
    tick_labels: list[str] = msgspec.field(default_factory=list)  #: text per tick, if given
    count: int | None = None  #: ``#5``: about five labels
    angle: float | None = None  #: label angle in degrees (None: the scheme's)
    format: str = ""  #: Stata display format of the labels
    lower: float | None = None  #: ``scale(range())`` and label values widen the axis
    upper: float | None = None
    log: bool = False
    reverse: bool = False
    off: bool = False
    grid: bool | None = None  #: grid lines at the labels (None: the scheme's)


class Panel(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One plot region: its layers and added lines; ``title`` names a ``by()`` group."""

    layers: list[Layer] = msgspec.field(default_factory=list)
    title: str = ""
    xlines: list[RefLine] = msgspec.field(default_factory=list)
    ylines: list[RefLine] = msgspec.field(default_factory=list)


class Legend(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``legend()``: shown or not (None: when there is more than one key), order, labels."""

    show: bool | None = None
    order: list[int] = msgspec.field(default_factory=list)  #: key numbers, 1-based
    labels: dict[int, str] = msgspec.field(default_factory=dict)
    cols: int | None = None
    rows: int | None = None
    position: int | None = None  #: clock position; 6 (below) by default


class Graph(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A whole graph: panels (one, or one per ``by()`` group), decorations and sub-graphs."""

    name: str = DEFAULT_NAME
    command: str = ""  #: the command line that drew it
    family: str = "twoway"  #: twoway, bar, box or combine
    panels: list[Panel] = msgspec.field(default_factory=list)
    title: list[str] = msgspec.field(default_factory=list)  #: lines of text
    subtitle: list[str] = msgspec.field(default_factory=list)
    note: list[str] = msgspec.field(default_factory=list)
    caption: list[str] = msgspec.field(default_factory=list)
    x: Axis = msgspec.field(default_factory=Axis)
    y: Axis = msgspec.field(default_factory=Axis)
    legend: Legend = msgspec.field(default_factory=Legend)
    scheme: str = "s2color"
    xsize: float = 5.5  #: inches, as Stata's xsize()/ysize()
    ysize: float = 4.0
    cols: int | None = None  #: panels (by) or parts (combine) per row
    parts: list[Graph] = msgspec.field(default_factory=list)  #: graph combine
    graph_color: str = ""  #: graphregion(color())
    plot_color: str = ""  #: plotregion(color())

    def keys(self) -> list[Layer]:
        """The layers that have legend keys, in key order (numbered from 1)."""
        first = self.panels[0].layers if self.panels else []
        return [layer for layer in first if layer.keyed]

    def shows_legend(self) -> bool:
        """Whether the legend is drawn: as asked, else when there is more than one key."""
        if self.legend.show is not None:
            return self.legend.show
        return len(self.keys()) > 1


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Graph)


def to_json(graph: Graph) -> bytes:
    """The graph as JSON (what ``graph save`` writes)."""
    return _encoder.encode(graph)


def from_json(data: bytes) -> Graph:
    """A graph from :func:`to_json`'s bytes; ``msgspec.ValidationError`` if it is not one."""
    return _decoder.decode(data)


@dataclass
class GraphMemory:
    """The graphs a session holds by name, the current one, and every graph drawn."""

    graphs: dict[str, Graph] = field(default_factory=dict)
    current: str = ""  #: name of the graph drawn or displayed last
    shown: list[GraphEntry] = field(default_factory=list)  #: the graph list, in order
    notes_given: set[str] = field(default_factory=set)  #: ignored options already noted
