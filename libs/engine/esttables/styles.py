"""esttab's document formats: what each writes around and between the cells.

One :class:`Mode` per format of help esttab ("Document format"): ``smcl`` (the log),
``fixed``, ``tab``, ``csv`` (``scsv``), ``rtf``, ``html``, ``tex``, ``booktabs`` and ``md``.
The strings are the documented look of each format (rules, gaps, star symbols, the labels
of N and R-squared, the note on the second statistic); :mod:`render` does the layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

#: Short (default) and long (``label``) labels of N, R2, adj. R2, pseudo R2, AIC, BIC.
_SSL_FIXED = ("N", "R-sq", "adj. R-sq", "pseudo R-sq", "AIC", "BIC")
_LSL_FIXED = ("Observations", "R-squared", "Adjusted R-squared", "Pseudo R-squared", "AIC",
              "BIC")


@dataclass(frozen=True)
class Mode:
    """The pieces of one document format (``@`` variables are filled in by the renderer)."""

    name: str
    toprule: tuple[str, ...] = ()
    midrule: tuple[str, ...] = ()
    bottomrule: tuple[str, ...] = ()
    topgap: tuple[str, ...] = ("",)
    midgap: tuple[str, ...] = ("",)
    bottomgap: tuple[str, ...] = ("",)
    short_stats: tuple[str, ...] = _SSL_FIXED
    long_stats: tuple[str, ...] = _LSL_FIXED
    stars: tuple[str, str, str] = ("*", "**", "***")
    star_label: str = " p<"
    begin: str = ""
    delimiter: str = " "
    end: str = ""
    widths: bool = True  #: columns padded (12, or 20 for labels / 12 per model)
    abbrev: bool = False
    substitute: tuple[tuple[str, str], ...] = ()
    interaction: str = " # "
    t_label: str = "t statistics"
    z_label: str = "z statistics"
    p_label: str = "p-values"
    ci_label: str = "@level% confidence intervals"
    opening: tuple[str, ...] = ()  #: table opening (html, rtf), before the title
    opening2: tuple[str, ...] = ()  #: after the title
    closing2: tuple[str, ...] = ()  #: after the notes
    closing: tuple[str, ...] = ()
    caption: tuple[str, ...] = ("@title",)
    note_line: str = "{}"  #: how a footnote line is written
    options: dict[str, str] = field(default_factory=dict)


_HLINE = ("@hline",)
_TEX_SSL = ("\\(N\\)", "\\(R^{2}\\)", "adj. \\(R^{2}\\)", "pseudo \\(R^{2}\\)", "\\textit{AIC}",
            "\\textit{BIC}")
_TEX_LSL = ("Observations", "\\(R^{2}\\)", "Adjusted \\(R^{2}\\)", "Pseudo \\(R^{2}\\)",
            "\\textit{AIC}", "\\textit{BIC}")
_TEX = Mode(
    "tex", toprule=("\\hline\\hline",), midrule=("\\hline",), bottomrule=("\\hline\\hline",),
    midgap=("[1em]",), topgap=(), bottomgap=(), short_stats=_TEX_SSL, long_stats=_TEX_LSL,
    stars=("\\sym{*}", "\\sym{**}", "\\sym{***}"), star_label=" \\(p<@\\)", delimiter="&",
    end="\\\\", substitute=(("_", "\\_"), ("\\_cons ", "\\_cons")), interaction=" $\\times$ ",
    t_label="\\textit{t} statistics", z_label="\\textit{z} statistics",
    p_label="\\textit{p}-values", ci_label="@level\\% confidence intervals",
    caption=("\\caption{@title}",), note_line="\\multicolumn{@span}{l}{\\footnotesize {}}\\\\",
)
_HTML_SSL = ("<i>N</i>", "<i>R</i><sup>2</sup>", "adj. <i>R</i><sup>2</sup>",
             "pseudo <i>R</i><sup>2</sup>", "<i>AIC</i>", "<i>BIC</i>")
_HTML_RULE = ("<tr><td colspan=@span><hr></td></tr>",)
_RTF_ROW = "{\\trowd\\trgaph108\\trleft-108@rtfrowdefbrdr\\pard\\intbl\\ql {"

MODES: dict[str, Mode] = {
    "smcl": Mode("smcl", toprule=_HLINE, midrule=_HLINE, bottomrule=_HLINE, abbrev=True),
    "fixed": Mode("fixed", toprule=_HLINE, midrule=_HLINE, bottomrule=_HLINE, abbrev=True),
    "tab": Mode("tab", delimiter="\t", widths=False),
    "csv": Mode("csv", begin='="', delimiter='",="', end='"', widths=False,
                caption=('="@title"',), note_line='="{}"'),
    "tex": _TEX,
    "booktabs": replace(_TEX, name="booktabs", toprule=("\\toprule",), midrule=("\\midrule",),
                        bottomrule=("\\bottomrule",), midgap=("\\addlinespace",)),
    "html": Mode("html", toprule=_HTML_RULE, midrule=_HTML_RULE, bottomrule=_HTML_RULE,
                 topgap=(), midgap=("<tr><td colspan=@span>&nbsp;</td></tr>",), bottomgap=(),
                 short_stats=_HTML_SSL, long_stats=("Observations", *_HTML_SSL[1:2],
                                                    "Adjusted <i>R</i><sup>2</sup>",
                                                    "Pseudo <i>R</i><sup>2</sup>",
                                                    *_HTML_SSL[4:]),
                 stars=("<sup>*</sup>", "<sup>**</sup>", "<sup>***</sup>"),
                 star_label=" <i>p</i> < ", begin="<tr><td>", delimiter="</td><td>",
                 end="</td></tr>", t_label="<i>t</i> statistics",
                 z_label="<i>z</i> statistics", p_label="<i>p</i>-values",
                 opening=('<table border="0" width="*">',), closing=("</table>",),
                 caption=("<caption>@title</caption>",)),
    "rtf": Mode("rtf", topgap=(), bottomgap=(),
                midgap=("{\\trowd\\trgaph108\\trleft-108@rtfemptyrow\\row}",),
                short_stats=("{\\i N}", "{\\i R}{\\super 2}", "adj. {\\i R}{\\super 2}",
                             "pseudo {\\i R}{\\super 2}", "{\\i AIC}", "{\\i BIC}"),
                long_stats=("Observations", "{\\i R}{\\super 2}", "Adjusted {\\i R}{\\super 2}",
                            "Pseudo {\\i R}{\\super 2}", "{\\i AIC}", "{\\i BIC}"),
                stars=("{\\super *}", "{\\super **}", "{\\super ***}"),
                star_label=" {\\i p} < ", begin=_RTF_ROW,
                delimiter="}\\cell \\pard\\intbl\\qc {", end="}\\cell\\row}", widths=False,
                t_label="{\\i t} statistics", z_label="{\\i z} statistics",
                p_label="{\\i p}-values",
                opening=("{\\rtf1\\ansi\\deff0 {\\fonttbl\\f0\\fnil Times New Roman;}",
                         "{\\info {\\author .}{\\company .}{\\title .}@creatim}",
                         "\\deflang1033\\plain\\fs24",
                         "{\\footer\\pard\\qc\\plain\\f0\\fs24\\chpgn\\par}"),
                opening2=("{",), closing2=("}",), closing=("{\\pard \\par}", "}"),
                caption=("{\\pard\\keepn\\ql @title\\par}",),
                note_line="{\\pard\\ql\\fs20 {}\\par}"),
    "md": Mode("md", topgap=(), midgap=(), bottomgap=(),
               short_stats=("*N*", "*R*<sup>2</sup>", "adj. *R*<sup>2</sup>",
                            "pseudo *R*<sup>2</sup>", "*AIC*", "*BIC*"),
               long_stats=("Observations", "*R*<sup>2</sup>", "Adjusted *R*<sup>2</sup>",
                           "Pseudo *R*<sup>2</sup>", "*AIC*", "*BIC*"),
               stars=("<sup>\\*</sup>", "<sup>\\*\\*</sup>", "<sup>\\*\\*\\*</sup>"),
               star_label=" *p* < ", begin="| ", delimiter=" | ", end=" |",
               substitute=(("_", "\\_"), ("\\_cons ", "\\_cons")),
               t_label="*t* statistics", z_label="*z* statistics", p_label="*p*-values",
               ci_label="@level\\% confidence intervals", opening=("",), closing=("",),
               caption=("@title", "")),
}

#: The format a ``using`` file's suffix selects when no format option is given.
SUFFIX_MODES = {".html": "html", ".htm": "html", ".tex": "tex", ".csv": "csv", ".rtf": "rtf",
                ".smcl": "smcl", ".md": "md", ".mmd": "md"}
#: The suffix added to a ``using`` name without one.
MODE_SUFFIXES = {"fixed": ".txt", "tab": ".txt", "csv": ".csv", "rtf": ".rtf", "html": ".html",
                 "tex": ".tex", "booktabs": ".tex", "smcl": ".smcl", "md": ".md"}
