"""Descriptive commands: summarize, tabulate, tabstat, centile.

Numbers from :mod:`libs.stata_stats`; ``r()`` under Stata's names; layouts like Stata's.
"""

from __future__ import annotations

import numpy as np

from libs.engine import varlist
from libs.engine.commands import tab_summarize
from libs.engine.errors import StataError
from libs.engine.estimation.columns import level_text, numeric_in, numtext, values_in
from libs.engine.estimation.request import stata_errors, weights_of
from libs.engine.formats import format_number, is_valid
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.varlist import expand
from libs.stata_stats.arithmetic import ratio
from libs.stata_stats.sample import Weights
from libs.stata_stats.summary import DETAIL_PERCENTILES, Summary, centile, centile_interval
from libs.stata_stats.summary import summarize as summarize_fit
from libs.stata_stats.tables import TwoWay, tabulate1, tabulate2


@command(
    "summarize",
    abbrev=2,
    byable="recall",
    rclass=True,
    syntax="[varlist] [if] [in] [aweight fweight iweight] [, Detail MEANonly]",
)
def summarize(session: Session, args: Args) -> None:
    """``summarize [varlist] [if] [in] [weight] [, detail meanonly]``."""
    touse = args.touse(session)
    names = args.varlist or list(session.data.varnames)
    weights = weights_of(session, args)
    detail = bool(args.opt("detail"))
    if not detail and not args.opt("meanonly"):
        session.log.lines(["", "    Variable |        Obs        Mean    Std. dev.       Min"
                                  "        Max", "-" * 13 + "+" + "-" * 57])
    result = None
    for name in names:
        if session.data.var(name).is_string:
            if not detail:
                session.log.out(f"{varlist.abbreviate(name, 12):>12} |          0")
            continue
        x = numeric_in(session, name, touse)
        with stata_errors():
            result = summarize_fit(x, weights, detail=detail)
        s = result.scalars
        if args.opt("meanonly"):
            continue
        if detail:
            _detail_lines(session, name, result)
        else:
            # Stata's columns: Obs with separators, then %9.0g mean and sd after three
            # spaces, min and max after two
            session.log.out(
                f"{varlist.abbreviate(name, 12):>12} |{int(s['N']):>11,}"
                f"   {numtext(s.get('mean', np.nan), '%9.0g')}"
                f"   {numtext(s.get('sd', np.nan), '%9.0g')}"
                f"  {numtext(s.get('min', np.nan), '%9.0g')}"
                f"  {numtext(s.get('max', np.nan), '%9.0g')}"
            )
    if result is not None:
        session.post_r(Results(scalars=dict(result.scalars)))


def _detail_lines(session: Session, name: str, result: Summary) -> None:
    """Stata's ``summarize, detail`` block: percentiles, extremes and moments."""
    s = result.scalars
    small = [numtext(v) for v in result.smallest] + [""] * (4 - len(result.smallest))
    large = [numtext(v) for v in result.largest] + [""] * (4 - len(result.largest))
    label = session.data.vars[name].label or name
    pct = {p: numtext(s.get(f"p{p}", np.nan)) for p in DETAIL_PERCENTILES}

    def row(p: int, mid: str = "", key: str = "", value: str = "") -> str:
        return f"{str(p) + '%':>3}  {pct[p]:>9}  {mid:>13}       {key:<12}{value:>12}"

    def stat(key: str) -> str:
        return format_number(s.get(key, np.nan), "%9.0g").strip()

    lines = [
        f"{label:^61}",
        "-" * 61,
        "      Percentiles      Smallest",
        row(1, small[0]),
        row(5, small[1]),
        row(10, small[2], "Obs", f"{int(s['N']):,}"),
        row(25, small[3], "Sum of wgt.", f"{s['sum_w']:,g}"),
        "",
        row(50, "", "Mean", stat("mean")),
        f"{'':>27}Largest       {'Std. dev.':<12}{stat('sd'):>12}",
        row(75, large[0]),
        row(90, large[1], "Variance", stat("Var")),
        row(95, large[2], "Skewness", stat("skewness")),
        row(99, large[3], "Kurtosis", stat("kurtosis")),
        "",
    ]
    session.log.lines(lines)


@command(
    "tabulate",
    abbrev=2,
    byable="recall",
    rclass=True,
    syntax="varlist(min=1 max=2) [if] [in] [fweight aweight iweight] "
    "[, CHi2 Exact LRchi2 V Row COlumn CEll Missing noFreq sort GENerate(name) "
    "SUmmarize(varname) noMEans noSTandard Obs noLabel Wrap]",
)
def tabulate(session: Session, args: Args) -> None:
    """One- and two-way tables with chi2, exact, lrchi2, V and percentages."""
    touse = args.touse(session)
    w = weights_of(session, args)
    wv = None if w is None else w.values
    if args.opt("summarize"):
        if len(args.varlist) == 2:
            raise StataError(198, "tabulate, summarize() with two variables is not supported "
                                  "by the embedded engine")
        tab_summarize.one_way(session, args, touse)
        return
    if len(args.varlist) == 1:
        name = args.varlist[0]
        values = values_in(session, name, touse)
        table = tabulate1(
            values[touse], None if wv is None else wv[touse],
            missing=bool(args.opt("missing")), sort=bool(args.opt("sort")),
        )
        lines = [f"{name[:11]:>11} |      Freq.     Percent        Cum.", "-" * 12 + "+" + "-" * 35]
        for lv, f, p, c in zip(table.levels, table.freq, table.percent, table.cum, strict=True):
            lines.append(f"{level_text(session, name, lv):>11} |{f:>11,.0f}{p:>12.2f}{c:>12.2f}")
        lines += [
            "-" * 12 + "+" + "-" * 35,
            f"{'Total':>11} |{table.freq.sum():>11,.0f}{100:>12.2f}",
        ]
        session.log.lines(lines)
        session.post_r(Results(scalars=table.r()))
        if args.opt("generate"):
            _indicators(session, name, args.opt("generate"), table.levels, values, touse)
        return
    if args.opt("generate"):
        raise StataError(198, "option generate() not allowed with a two-way table")
    rname, cname = args.varlist
    with stata_errors():
        two = tabulate2(
            values_in(session, rname, touse)[touse],
            values_in(session, cname, touse)[touse],
            None if wv is None else wv[touse],
            missing=bool(args.opt("missing")),
            exact=bool(args.opt("exact")),
        )
    _two_way_lines(session, args, rname, cname, two)
    keep = {"N", "r", "c"}
    if args.opt("chi2"):
        keep |= {"chi2", "p"}
    if args.opt("lrchi2"):
        keep |= {"chi2_lr", "p_lr"}
    if args.opt("v"):
        keep |= {"CramersV"}
    if args.opt("exact"):
        keep |= {"p_exact", "p1_exact"}
    session.post_r(Results(scalars={k: v for k, v in two.scalars.items() if k in keep}))


def _indicators(session: Session, name: str, stub: str, levels: tuple[object, ...],
                values: np.ndarray, touse: np.ndarray) -> None:
    """``generate(stub)``: ``stub1``, ``stub2`` ... = 1 for each level of the table, 0 for the
    others, missing outside the table; labelled ``name==level`` (the value label's text, else
    the number as ``%7.4f``, as Stata labels them)."""
    new = [f"{stub}{k}" for k in range(1, len(levels) + 1)]
    varlist.new_names(session.data, " ".join(new))
    is_string = session.data.var(name).is_string
    hits = []
    for level in levels:
        if is_string:
            text, hit = str(level), values == level
        else:
            number = float(str(level))
            text = session.data.value_text(name, number) or format_number(number, "%7.4f")
            hit = np.isnan(values) if np.isnan(number) else values == number
        hits.append((text, touse & hit))
    in_table = np.logical_or.reduce([hit for _, hit in hits])
    for var, (text, hit) in zip(new, hits, strict=True):
        session.data.add(var, np.where(in_table, hit, np.nan), "byte", label=f"{name}=={text}")


def _two_way_lines(session: Session, args: Args, rname: str, cname: str, two: TwoWay) -> None:
    counts = two.counts
    cols = [level_text(session, cname, c) for c in two.cols]
    head = f"{'':>11} |{cname:^{11 * len(cols)}}|"
    lines = [
        head,
        f"{rname[:11]:>11} |" + "".join(f"{c:>11}" for c in cols) + " |      Total",
        "-" * 12 + "+" + "-" * (11 * len(cols)) + "-+-" + "-" * 10,
    ]
    pct_kinds = [k for k in ("row", "column", "cell") if args.opt(k)]
    nofreq = bool(args.opt("nofreq")) and bool(pct_kinds)  # Stata shows counts otherwise
    if pct_kinds:  # Stata's key to the cells, centred in a box, before the table
        items = ([] if nofreq else ["frequency"]) + [f"{k} percentage" for k in pct_kinds]
        width = max(len(i) for i in items) + 2
        lines = ["+" + "-" * width + "+", f"| {'Key':<{width - 1}}|", "|" + "-" * width + "|",
                 *(f"|{' ' * ((width - len(i)) // 2) + i:<{width}}|" for i in items),
                 "+" + "-" * width + "+", "", *lines]
    for i, rv in enumerate(two.rows):
        cells: list[str] = []
        if not nofreq:
            cells.append("".join(f"{v:>11,.0f}" for v in counts[i])
                         + f" |{counts[i].sum():>11,.0f}")
        for kind in pct_kinds:
            pct = two.percents(kind)[i]
            total = 100.0 * counts[i].sum() / (counts[i].sum() if kind == "row" else counts.sum())
            cells.append("".join(f"{v:>11.2f}" for v in pct) + f" |{total:>11.2f}")
        label = level_text(session, rname, rv)
        lines += [f"{label if k == 0 else '':>11} |{cell}" for k, cell in enumerate(cells)]
    lines.append("-" * 12 + "+" + "-" * (11 * len(cols)) + "-+-" + "-" * 10)
    col_totals, total = counts.sum(axis=0), counts.sum()
    cells = [] if nofreq else ["".join(f"{v:>11,.0f}" for v in col_totals) + f" |{total:>11,.0f}"]
    for kind in pct_kinds:  # the Total row's share of each column (100 within a column)
        shares = np.full(len(cols), 100.0) if kind == "column" else 100.0 * col_totals / total
        cells.append("".join(f"{v:>11.2f}" for v in shares) + f" |{100.0:>11.2f}")
    lines += [f"{'Total' if k == 0 else '':>11} |{cell}" for k, cell in enumerate(cells)]
    s = two.scalars
    df = (counts.shape[0] - 1) * (counts.shape[1] - 1)
    if args.opt("chi2"):
        lines.append(
            f"{'Pearson chi2(' + str(df) + ')':>29} = {s['chi2']:>8.4f}   Pr = {s['p']:5.3f}"
        )
    if args.opt("lrchi2"):
        lines.append(
            f"{'likelihood-ratio chi2(' + str(df) + ')':>29} = {s['chi2_lr']:>8.4f}"
            f"   Pr = {s['p_lr']:5.3f}"
        )
    if args.opt("v"):
        lines.append(f"{'Cramér' + chr(39) + 's V':>29} = {s['CramersV']:>8.4f}")
    if args.opt("exact"):
        lines.append(f"{'Fisher' + chr(39) + 's exact':>29} = {s['p_exact']:>14.3f}")
        if "p1_exact" in s:
            lines.append(f"{'1-sided Fisher' + chr(39) + 's exact':>29} = {s['p1_exact']:>14.3f}")
    session.log.lines(lines)


_TABSTAT = {
    "mean": "mean",
    "sum": "sum",
    "n": "N",
    "count": "N",
    "min": "min",
    "max": "max",
    "sd": "sd",
    "variance": "Var",
    "var": "Var",
    "skewness": "skewness",
    "kurtosis": "kurtosis",
    "median": "p50",
    "p50": "p50",
    "p1": "p1",
    "p5": "p5",
    "p10": "p10",
    "p25": "p25",
    "p75": "p75",
    "p90": "p90",
    "p95": "p95",
    "p99": "p99",
    "range": "range",
    "iqr": "iqr",
    "semean": "semean",
    "cv": "cv",
}


@command(
    "tabstat",
    syntax="varlist(numeric) [if] [in] [aweight fweight] "
    "[, Statistics(string) stats(string) by(varname) Columns(string) Format(string) "
    "noTotal]",
    rclass=True,
)
def tabstat(session: Session, args: Args) -> None:
    """``tabstat varlist, statistics(...) by(g) columns(variables|statistics) format(%fmt)
    nototal``; r(Stat#) per group and r(StatTotal) (not with ``by() nototal``)."""
    touse = args.touse(session)
    fmt = args.opt("format") or "%9.0g"
    if not is_valid(fmt):
        raise StataError(120, f"invalid %format {fmt}")
    stats_text = args.opt("statistics") or args.opt("stats") or "mean"
    wanted = [w.lower() for w in stats_text.split()]
    for w in wanted:
        if w not in _TABSTAT:
            raise StataError(198, f"{w} invalid statistic")
    weights = weights_of(session, args)
    by = args.opt("by")
    groups: list[tuple[str, np.ndarray]] = []
    if by:
        gv = values_in(session, by, touse)
        levels = sorted({v for v in gv[touse].tolist() if v == v and v != ""})
        groups = [(level_text(session, by, lv), touse & (gv == lv)) for lv in levels]
    if not (by and args.opt("nototal")):  # nototal means something only with by()
        groups.append(("Total", touse))
    by_stat = (args.opt("columns") or "variables").lower().startswith("s")
    cols = wanted if by_stat else list(args.varlist)
    rows_of = list(args.varlist) if by_stat else wanted
    results = Results()
    lines: list[str] = []
    for label, mask in groups:
        table = np.array(
            [[_stat(session, v, mask, weights, w) for v in args.varlist] for w in wanted]
        )
        shown = table.T if by_stat else table
        for i, row_name in enumerate(rows_of):
            first = label if by else row_name
            lead = (first if i == 0 or not by else "")[:12]
            suffix = f" {row_name[:8]:>8}" if by and len(rows_of) > 1 else ""
            lines.append(
                f"{lead:>12}{suffix} |" + "".join(f"{numtext(v, fmt):>10}" for v in shown[i])
            )
        if by and label != "Total":
            lines.append("")
        key = "StatTotal" if label == "Total" else f"Stat{len(results.matrices) + 1}"
        results.matrices[key] = Matrix(table, wanted, list(args.varlist))
        if label != "Total":
            results.macros[f"name{len(results.matrices)}"] = label
    if lines and not lines[-1]:
        lines.pop()  # the blank line that separated the last group from the total
    corner = by or ("variable" if by_stat else "stats")
    pad = " " * 9 if by and len(rows_of) > 1 else ""
    header = f"{corner[:12]:>12}{pad} |" + "".join(f"{c[:9]:>10}" for c in cols)
    session.log.lines([header, "-" * (13 + len(pad)) + "+" + "-" * 10 * len(cols), *lines])
    session.post_r(results)


def _stat(
    session: Session, var: str, mask: np.ndarray, weights: Weights | None, which: str
) -> float:
    x = numeric_in(session, var, mask)
    res = summarize_fit(x, weights, detail=True).scalars
    key = _TABSTAT[which]
    missing = np.nan  # with no observations summarize leaves these undefined: shown as "."
    if key == "range":
        return float(res.get("max", missing) - res.get("min", missing))
    if key == "iqr":
        return float(res.get("p75", missing) - res.get("p25", missing))
    if key == "semean":
        return ratio(res.get("sd", missing), float(np.sqrt(res["N"])))
    if key == "cv":
        return ratio(res.get("sd", missing), res.get("mean", missing))
    return float(res.get(key, missing))


@command(
    "centile",
    syntax="[varlist(numeric)] [if] [in] [, Centile(numlist) Level(real 95)]",
    rclass=True,
)
def centile_cmd(session: Session, args: Args) -> None:
    """``centile varlist [, centile(numlist) level(#)]``: centiles with Stata's default
    interpolated binomial intervals; r() for the last variable."""
    touse = args.touse(session)
    qs = args.opt("centile") or [50.0]
    qs = [float(q) for q in (qs if isinstance(qs, list) else str(qs).split())]
    level = float(args.opt("level", 95.0))
    session.log.lines(
        [
            f"{'':>44}-- Binom. Interp. --",
            f"{'Variable':>12} |       Obs  Percentile    Centile"
            f"{f'[{level:g}% conf. interval]':>25}",
            "-" * 13 + "+" + "-" * 63,
        ]
    )
    results = Results()
    for name in args.varlist or expand(session.data, "_all"):
        x = numeric_in(session, name, touse)
        x = x[np.isfinite(x)]
        results = Results(
            scalars={"N": float(x.size), "n_cent": float(len(qs))},
            macros={"centiles": " ".join(f"{q:g}" for q in qs)},
        )
        for i, q in enumerate(qs, start=1):
            with stata_errors():
                value = centile(x, q)
                lo, hi = centile_interval(x, q, level)
            results.scalars.update({f"c_{i}": value, f"lb_{i}": lo, f"ub_{i}": hi})
            label = name[:12] if i == 1 else ""
            obs = f"{x.size:>10,}" if i == 1 else " " * 10
            session.log.out(
                f"{label:>12} |{obs}{q:>12g}{numtext(value, '%11.0g')}"
                f"{numtext(lo, '%13.0g')}{numtext(hi, '%12.0g')}"
            )
    session.post_r(results)
