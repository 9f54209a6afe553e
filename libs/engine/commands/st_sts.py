"""``sts``: Kaplan–Meier survivor functions — ``sts list``, ``sts test``, ``sts generate`` and
``sts graph`` (accepted; not drawn by this engine). Numbers in
:mod:`libs.stata_stats.survival`; the data are what ``stset`` declared.
"""

from __future__ import annotations

import numpy as np

from libs.engine import textscan
from libs.engine.errors import StataError
from libs.engine.estimation import stdata
from libs.engine.estimation.columns import numtext
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.stata_stats.survival import LifeTable, life_table, rank_test, survival_at

_LIST = Spec("[if] [in] [, BY(varlist) AT(numlist) Failure Level(real 95) ENTer]")
_TEST = Spec("varlist [if] [in] [, Logrank Wilcoxon TWare]")
_GRAPH = Spec("[if] [in] [, *]")


@command("sts", syntax=None)
def sts(session: Session, args: Args) -> None:
    """``sts list|test|generate|graph …``."""
    text = args.raw.strip()
    sub = text.split(",", 1)[0].split(" ", 1)[0]
    rest = text[len(sub):]
    if sub in ("list", "l", "li", "lis"):
        _list(session, rest)
    elif sub in ("test", "t", "te", "tes"):
        _test(session, rest)
    elif sub in ("generate", "gen", "g", "ge", "gene", "gener", "genera", "generat"):
        _generate(session, rest)
    elif sub in ("graph", "gr", "gra", "grap"):
        _GRAPH.parse(rest, session)
        stdata.settings(session)
        session.log.out("note: sts graph is not drawn by the embedded engine; sts list and "
                        "sts generate give the same survivor function")
    else:
        raise StataError(198, f"sts {sub}: unknown subcommand" if sub else
                         "sts subcommand required")


def _list(session: Session, text: str) -> None:
    """``sts list [if] [in] [, by() at() failure level()]``."""
    opts = _LIST.parse(text, session)
    st = stdata.st_data(session, opts.touse(session))
    level = float(opts.opt("level", 95.0))
    failure = bool(opts.opt("failure"))
    session.log.lines([*stdata.header(session), "",
                       "Kaplan–Meier " + ("failure" if failure else "survivor") + " function"])
    if opts.opt("by"):
        session.log.out(f"By variable: {' '.join(opts.opt('by'))}")
    fn = "Failure" if failure else "Survivor"
    session.log.lines(["", f"{'At':>14}{'Net':>14}{fn:>19}{'Std.':>10}",
                       f"{'Time':>6}{'risk':>9}{'Fail':>7}{'lost':>7}{'function':>19}"
                       f"{'error':>10}{f'[{level:g}% conf. int.]':>22}",
                       "-" * 79])
    for label, mask in stdata.by_groups(session, opts.opt("by") or [], st):
        table = life_table(st.t0[mask], st.t[mask], st.d[mask])
        if label:
            session.log.out(label)
        lower, upper = table.interval(level)
        value = 1.0 - table.survival if failure else table.survival
        if failure:
            lower, upper = 1.0 - upper, 1.0 - lower
        if opts.opt("at"):
            rows, fail, lost = _at_rows(table, opts.opt("at"))
        else:
            rows, fail, lost = list(range(table.time.size)), table.fail, table.lost
        for j, i in enumerate(rows):
            if i < 0:
                continue
            session.log.out(
                f"{numtext(table.time[i] if not opts.opt('at') else opts.opt('at')[j], '%6.0g')}"
                f"{int(table.at_risk[i]):>9}{int(fail[j]):>7}{int(lost[j]):>7}"
                f"{numtext(value[i], '%19.4f')}{numtext(table.se[i], '%10.4f')}"
                f"{numtext(lower[i], '%11.4f')}{numtext(upper[i], '%10.4f')}")
    session.log.out("-" * 79)


def _at_rows(table: LifeTable, at: list[float]) -> tuple[list[int], np.ndarray, np.ndarray]:
    """For ``at()``: the life-table row in force at each time, and the failures and net
    losses since the previous time of the list."""
    when = np.asarray(at, dtype=float)
    rows = survival_at(table, when)
    cum_fail = np.concatenate([[0.0], np.cumsum(table.fail)])
    cum_lost = np.concatenate([[0.0], np.cumsum(table.lost)])
    ends = rows + 1
    starts = np.concatenate([[0], ends[:-1]])
    return ([int(i) for i in rows], cum_fail[ends] - cum_fail[starts],
            cum_lost[ends] - cum_lost[starts])


def _test(session: Session, text: str) -> None:
    """``sts test varlist [, logrank wilcoxon tware]``."""
    opts = _TEST.parse(text, session)
    kind = "wilcoxon" if opts.opt("wilcoxon") else "tware" if opts.opt("tware") else "logrank"
    st = stdata.st_data(session, opts.touse(session))
    groups = stdata.by_groups(session, opts.varlist, st)
    codes = np.zeros(st.rows.size, dtype=np.int64)
    for g, (_, mask) in enumerate(groups):
        codes[mask] = g
    result = rank_test(st.t0, st.t, st.d, codes, kind)
    title = {"logrank": "Log-rank test", "wilcoxon": "Wilcoxon (Breslow) test",
             "tware": "Tarone–Ware test"}[kind]
    var = " ".join(opts.varlist)
    head = f"{var[:12]:<12}"
    lines = [*stdata.header(session), "", "Equality of survivor functions", title, "",
             f"{'':<12} |  Observed       Expected", f"{head} |    events         events",
             "-" * 13 + "+" + "-" * 25]
    for (label, _), obs, exp in zip(groups, result.observed, result.expected, strict=True):
        value = label.split(" = ", 1)[-1] if len(opts.varlist) == 1 else label
        lines.append(f"{value[:12]:>12} | {numtext(obs, '%9.0g')}  {numtext(exp, '%13.2f')}")
    lines += ["-" * 13 + "+" + "-" * 25,
              f"{'Total':>12} | {numtext(result.observed.sum(), '%9.0g')}  "
              f"{numtext(result.expected.sum(), '%13.2f')}", "",
              f"{'chi2(' + str(result.df) + ') =':>28} {numtext(result.chi2, '%6.2f')}",
              f"{'Pr>chi2 =':>28} {numtext(result.p, '%6.4f')}"]
    session.log.lines(lines)
    session.post_r(Results(scalars={"chi2": result.chi2, "df": float(result.df)}))


_GENERATE = {"s": "survival", "f": "failure", "se(s)": "se", "lb(s)": "lower",
             "ub(s)": "upper", "n": "at_risk", "d": "fail", "na": "cumhaz", "h": "hazard"}


def _generate(session: Session, text: str) -> None:
    """``sts generate newvar = s|f|se(s)|lb(s)|ub(s)|n|d|na … [, by() level()]``."""
    comma = textscan.find_top(text, ",")
    body, opts_text = (text, "") if comma < 0 else (text[:comma], text[comma:])
    opts = Spec("[, BY(varlist) Level(real 95)]").parse(opts_text, session)
    pairs = [p for p in textscan.split_top(body.replace("=", " = ")) if p]
    specs = []
    while pairs:
        if len(pairs) < 3 or pairs[1] != "=":
            raise StataError(198, "sts generate: newvar = function expected")
        specs.append((pairs[0], pairs[2].lower()))
        pairs = pairs[3:]
    st = stdata.st_data(session)
    level = float(opts.opt("level", 95.0))
    n = session.data.n
    results = {name: np.full(n, np.nan) for name, _ in specs}
    for name, fn in specs:
        if fn not in _GENERATE:
            raise StataError(198, f"sts generate: {fn} unknown function")
        if name in session.data.vars:
            raise StataError(110, f"{name} already defined")
    for _, mask in stdata.by_groups(session, opts.opt("by") or [], st):
        table = life_table(st.t0[mask], st.t[mask], st.d[mask])
        at = survival_at(table, st.t[mask])
        lower, upper = table.interval(level)
        columns = {"survival": table.survival, "failure": 1.0 - table.survival,
                   "se": table.se, "lower": lower, "upper": upper, "at_risk": table.at_risk,
                   "fail": table.fail, "cumhaz": table.cumhaz,
                   "hazard": np.where(table.at_risk > 0, table.fail / table.at_risk, np.nan)}
        rows = st.rows[mask]
        for name, fn in specs:
            results[name][rows] = np.where(at >= 0, columns[_GENERATE[fn]][np.maximum(at, 0)],
                                           np.nan)
    for name, fn in specs:
        whole = fn in ("n", "d")
        session.data.add(name, results[name], "long" if whole else "float")
