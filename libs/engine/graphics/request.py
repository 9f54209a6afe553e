"""A parsed twoway plot: its type, variables, rows, options and weights, and the option
words plots accept."""

from __future__ import annotations

from dataclasses import dataclass, field

from libs.engine import textscan
from libs.engine.graphics import options as opts
from libs.engine.graphics.data import Mask
from libs.engine.graphics.model import Style
from libs.engine.macros import strip_quotes

#: Twoway plot types (capitals: the shortest abbreviation).
PLOT_TYPES = opts.words(
    "SCatter LINE CONnected LFIT QFIT LFITCI QFITCI LPOLY LOWess AREA BAR SPIKE DROPline "
    "RAREA RBAR RCAP RCAPSym RSPike RLine RCONnected RSCatter FUNCtion HISTogram KDENsity")

#: Plot options (capitals: the shortest abbreviation). Others are ignored with a note.
PLOT_WORDS = opts.words(
    "MSymbol MColor MSIZe MLABel LColor LPattern LWidth COLor FColor LSTyle PSTYle MSTyle "
    "Connect SORT BARWidth HORizontal VERTical BASE Range N Level STDF STDP BWidth Kernel "
    "DEGree MEAN JITter CMISsing MFColor MLColor MLWidth MLABPosition MLABSize MLABColor "
    "MLABVposition MLABGap MLABAngle ACOLor ALColor ALWidth ALPattern CLColor CLPattern "
    "CLWidth FIntensity LALign RECast YAXis XAXis NOFIT FITPlot CIPlot ESTopts BIN Width "
    "START DISCrete DENsity FRACtion FREQuency PERCENT GAP AT NORMal KDENsity ADDLabels "
    "BINRescale NORMOpts KDENOpts yvarlabel xvarlabel yvarformat xvarformat")

_COSMETIC = frozenset({"lstyle", "mstyle", "jitter", "cmissing", "mlwidth", "mlabposition",
                       "mlabsize", "mlabcolor", "mlabvposition", "mlabgap", "mlabangle",
                       "alwidth", "alpattern", "clpattern", "clwidth", "fintensity", "lalign",
                       "yaxis", "xaxis", "gap", "yvarlabel", "xvarlabel", "yvarformat",
                       "xvarformat", "legend", "estopts", "fitplot", "ciplot", "nofit",
                       "recast", "mean", "connect", "addlabels", "binrescale", "normopts",
                       "kdenopts"})


@dataclass
class PlotRequest:
    """One plot of a twoway command."""

    kind: str  #: full plot type name
    varnames: list[str]
    rows: Mask  #: the plot's own if/in and the command's
    options: dict[str, str | None] = field(default_factory=dict)
    weight: tuple[str, str] | None = None
    expression: str = ""  #: function plots
    lhs: str = ""  #: function plots: the name before =
    style_index: int = 1  #: plot style of its first layer (p1, p2 ...)

    def style(self, index: int, item: int = 0) -> Style:
        """The Style its options ask for, on plot style ``index``; ``item`` picks a word of
        a style list (``msymbol(O Dh)``: one per y variable, the last one repeated)."""
        o = self.options
        style = Style(pstyle=index)
        for field_name in ("color", "mcolor", "lcolor", "fcolor", "msymbol", "msize",
                           "lpattern", "lwidth"):
            value = o.get(field_name)
            words = textscan.split_top(value or "")
            if words:
                setattr(style, field_name, strip_quotes(words[min(item, len(words) - 1)]))
        if (value := o.get("mfcolor")) is not None and not style.mcolor:
            style.mcolor = value.strip()
        if (value := o.get("pstyle")) is not None and value.strip().lower().startswith("p"):
            digits = "".join(ch for ch in value.strip()[1:] if ch.isdigit())
            style.pstyle = int(digits) if digits else index
        return style

    def number(self, name: str, default: float) -> float:
        """A numeric option's value (``default`` when not given)."""
        value = self.options.get(name)
        return default if value is None else opts.number(value, name)


def read_plot_options(request: PlotRequest, text: str, ignored: list[str]) -> None:
    """Store the plot options of ``text`` in ``request.options`` by full name."""
    for name, arg in opts.split(text):
        full = opts.match(name, PLOT_WORDS)
        if full is None:
            ignored.append(f"{name}()" if arg is not None else name)
            continue
        request.options[full] = arg if arg is not None else ""
        if full in _COSMETIC:
            ignored.append(f"{full}()" if arg is not None else full)
