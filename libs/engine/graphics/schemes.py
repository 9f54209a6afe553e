"""Stata's looks: named colours, plot styles p1…p15 per scheme, marker symbols, line patterns
and widths, translated into what the drawing needs (RGB tuples, matplotlib marker codes,
dash patterns, point sizes). Pure data and lookups; nothing here imports matplotlib.

Schemes drawn: ``s2color`` (Stata's default before 18: light blue-grey graph region, white
plot region, horizontal grid), ``s1color``/``s2manual`` (white), ``s2mono``/``s1mono``
(greys), ``stcolor`` (Stata 18's default), ``plotplain``/``plottig`` (white, black first).
Any other scheme name draws as ``s2color``, with a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RGB = tuple[float, float, float]

#: Stata's named colours (color-styles), 0–255.
_NAMED: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0), "white": (255, 255, 255), "none": (255, 255, 255),
    "blue": (0, 0, 255), "green": (0, 128, 0), "red": (255, 0, 0), "yellow": (255, 255, 0),
    "orange": (255, 128, 0), "purple": (128, 0, 128), "pink": (255, 20, 147),
    "magenta": (255, 0, 255), "cyan": (0, 255, 255), "lime": (0, 255, 0),
    "navy": (26, 71, 111), "maroon": (144, 53, 59), "forest_green": (85, 117, 47),
    "dkorange": (227, 126, 0), "teal": (110, 142, 132), "cranberry": (193, 5, 52),
    "lavender": (147, 141, 210), "khaki": (202, 194, 126), "sienna": (160, 82, 45),
    "emidblue": (123, 146, 168), "emerald": (45, 109, 102), "brown": (156, 136, 71),
    "erose": (233, 201, 167), "gold": (255, 208, 0), "bluishgray": (214, 219, 223),
    "ltbluishgray": (234, 242, 243), "ltblue": (190, 210, 225), "ebblue": (0, 139, 188),
    "edkblue": (62, 95, 125), "eltblue": (192, 217, 228), "eltgreen": (201, 224, 189),
    "emidblue2": (123, 146, 168), "dkgreen": (0, 100, 0), "dknavy": (0, 38, 62),
    "olive": (123, 146, 81), "olive_teal": (144, 154, 106), "sand": (206, 177, 129),
    "sandb": (225, 203, 157), "stone": (207, 203, 183), "mint": (163, 200, 181),
    "midblue": (0, 0, 205), "midgreen": (0, 139, 0), "ltkhaki": (240, 230, 140),
    "eggshell": (240, 240, 220), "chocolate": (210, 105, 30), "gray": (128, 128, 128),
    "grey": (128, 128, 128), "dimgray": (105, 105, 105), "eblue": (0, 120, 200),
    "ltgreen": (144, 238, 144), "sea": (0, 107, 127), "dkblue": (0, 0, 139),
    "stblue": (26, 133, 255), "stred": (213, 94, 0), "stgreen": (0, 158, 115),
    "styellow": (230, 159, 0), "stc1": (26, 133, 255), "stc2": (213, 94, 0),
    "stc3": (64, 176, 166), "stc4": (230, 159, 0), "stc5": (153, 0, 153),
    "stc6": (90, 180, 40), "stc7": (214, 41, 91), "stc8": (93, 58, 155),
    "stc9": (140, 140, 140), "stc10": (0, 0, 0), "stc11": (120, 180, 230),
    "stc12": (237, 168, 119), "stc13": (165, 215, 210), "stc14": (240, 210, 140),
    "stc15": (200, 130, 200),
}

_S2 = ("navy", "maroon", "forest_green", "dkorange", "teal", "cranberry", "lavender", "khaki",
       "sienna", "emidblue", "emerald", "brown", "erose", "gold", "bluishgray")
_MONO = ("gs6", "gs10", "gs8", "gs4", "gs12", "gs2", "gs14", "gs5", "gs9", "gs3", "gs11",
         "gs7", "gs13", "gs1", "gs15")
_ST = tuple(f"stc{i}" for i in range(1, 16))
_PLAIN = ("black", "gs8", "gs4", "gs12", "navy", "maroon", "forest_green", "dkorange", "teal",
          "cranberry", "lavender", "khaki", "sienna", "emidblue", "emerald")


@dataclass(frozen=True)
class Scheme:
    """What a scheme decides: plot colours, backgrounds, grid and label angle."""

    name: str
    palette: tuple[str, ...]
    graph_color: str
    plot_color: str
    ygrid: bool
    ylabel_angle: float  #: 90: y labels read upward (s2color); 0: horizontal
    mono: bool = False


SCHEMES = {
    "s2color": Scheme("s2color", _S2, "ltbluishgray", "white", True, 90.0),
    "s1color": Scheme("s1color", _S2, "white", "white", False, 90.0),
    "s2manual": Scheme("s2manual", _S2, "white", "white", False, 90.0),
    "s2mono": Scheme("s2mono", _MONO, "white", "white", True, 90.0, mono=True),
    "s1mono": Scheme("s1mono", _MONO, "white", "white", False, 90.0, mono=True),
    "s1manual": Scheme("s1manual", _MONO, "white", "white", False, 90.0, mono=True),
    "stcolor": Scheme("stcolor", _ST, "white", "white", True, 0.0),
    "stmono1": Scheme("stmono1", _MONO, "white", "white", True, 0.0, mono=True),
    "plotplain": Scheme("plotplain", _PLAIN, "white", "white", False, 0.0),
    "plottig": Scheme("plottig", _PLAIN, "white", "gs15", True, 0.0),
}


def scheme(name: str) -> Scheme:
    """The scheme called ``name``; unknown names draw as s2color."""
    return SCHEMES.get(name.lower(), SCHEMES["s2color"])


_GRAY = re.compile(r"^gs(\d{1,2})$")
_TRIPLE = re.compile(r"^(\d+)\s+(\d+)\s+(\d+)$")


def rgb(text: str) -> RGB | None:
    """A Stata colour as RGB in 0–1: a name, ``gs0``–``gs16``, ``"r g b"``; an opacity
    (``%50``) or intensity (``*.5``) suffix is dropped. None when unknown."""
    spec = text.strip().strip('"').lower()
    spec = re.sub(r"\s*[%*][\d.]*$", "", spec)
    if m := _GRAY.match(spec):
        level = min(int(m.group(1)), 16) * 255 / 16
        return (level / 255,) * 3
    if m := _TRIPLE.match(spec):
        r, g, b = (min(int(v), 255) / 255 for v in m.groups())
        return (r, g, b)
    if spec in _NAMED:
        r, g, b = _NAMED[spec]
        return (r / 255, g / 255, b / 255)
    return None


def opacity(text: str) -> float:
    """The opacity of ``red%30`` (0.3); 1 without one."""
    m = re.search(r"%\s*([\d.]+)\s*$", text.strip())
    return max(0.0, min(float(m.group(1)) / 100, 1.0)) if m else 1.0


#: msymbol → (matplotlib marker, filled, relative size).
_SYMBOLS = {
    "o": ("o", True, 1.0), "d": ("D", True, 0.8), "t": ("^", True, 1.0), "s": ("s", True, 0.9),
    "+": ("+", True, 1.2), "x": ("x", True, 1.0), "a": ("^", True, 1.0), "p": (".", True, 0.6),
    "i": ("", True, 0.0), "none": ("", True, 0.0), "point": (".", True, 0.6),
    "circle": ("o", True, 1.0), "diamond": ("D", True, 0.8), "triangle": ("^", True, 1.0),
    "square": ("s", True, 0.9), "plus": ("+", True, 1.2), "arrow": ("^", True, 1.0),
    "v": ("v", True, 1.0),
}


def marker(symbol: str) -> tuple[str, bool, float] | None:
    """A Stata marker symbol → (matplotlib marker, filled, size factor); None when unknown.
    Lower-case single letters are the small versions, a trailing ``h``/``_hollow`` hollow."""
    text = symbol.strip()
    hollow = text.endswith("_hollow") or (len(text) == 2 and text[1] == "h")
    base = text.removesuffix("_hollow")
    base = base[0] if len(text) == 2 and text[1] == "h" else base
    small = (len(base) == 1 and base.islower() and base not in ("p", "i", "x")) or (
        base.startswith("sm") and len(base) > 2)
    found = _SYMBOLS.get(base.lower().removeprefix("sm") if base.startswith("sm") else
                         base.lower())
    if found is None:
        return None
    code, _, size = found
    return code, not hollow, size * (0.7 if small else 1.0)


_MSIZES = {"tiny": 2.0, "vsmall": 3.0, "small": 4.0, "medsmall": 5.0, "medium": 6.0,
           "medlarge": 7.0, "large": 8.0, "vlarge": 10.0, "huge": 12.0, "vhuge": 14.0,
           "ehuge": 16.0, "zero": 0.0}


def marker_size(text: str) -> float | None:
    """``msize()`` → matplotlib marker size in points (None when unknown)."""
    spec = text.strip().lower()
    if spec in _MSIZES:
        return _MSIZES[spec]
    try:
        return max(float(spec), 0.0) * 3.0
    except ValueError:
        return None


_WIDTHS = {"none": 0.0, "vvthin": 0.3, "vthin": 0.5, "thin": 0.75, "medthin": 1.0,
           "medium": 1.3, "medthick": 1.7, "thick": 2.2, "vthick": 2.8, "vvthick": 3.5,
           "vvvthick": 4.5}


def line_width(text: str) -> float | None:
    """``lwidth()`` → points (None when unknown)."""
    spec = text.strip().lower()
    if spec in _WIDTHS:
        return _WIDTHS[spec]
    try:
        return max(float(spec.removesuffix("pt")), 0.0) * (1.0 if spec.endswith("pt") else 2.5)
    except ValueError:
        return None


LineStyle = str | tuple[int, tuple[int, ...]]

_PATTERNS: dict[str, LineStyle] = {
    "solid": "-", "l": "-", "dash": "--", "-": "--", "_": "--", "longdash": (0, (9, 3)),
    "shortdash": (0, (3, 2)), "dot": ":", ".": ":", "dash_dot": "-.", "-.": "-.",
    "shortdash_dot": (0, (3, 2, 1, 2)), "longdash_dot": (0, (9, 3, 1, 3)), "blank": "None",
    "longdash_shortdash": (0, (9, 3, 3, 3))}


def line_pattern(text: str) -> LineStyle | None:
    """``lpattern()`` → a matplotlib line style (None when unknown); a formula such as
    ``"-."`` is read by its characters."""
    spec = text.strip().strip('"').lower()
    if spec in _PATTERNS:
        return _PATTERNS[spec]
    if spec and set(spec) <= set("l_-.# "):
        if "." in spec and ("-" in spec or "_" in spec):
            return "-."
        if "." in spec:
            return ":"
        return "--" if "-" in spec or "_" in spec else "-"
    return None
