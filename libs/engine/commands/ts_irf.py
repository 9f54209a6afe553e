"""``irf``: impulse responses after ``var`` — ``irf set``, ``irf create``, ``irf table``,
``irf describe``, ``irf drop``, and ``irf graph`` (accepted; not drawn by this engine).

As in Stata, results live in an IRF file (a Stata dataset, default extension ``.irf``) made
active by ``irf set`` or ``irf create …, set()``; its name is kept in the global
``$S_vrffile`` as Stata keeps it. Each ``irf create`` adds one block of observations
(``irfname impulse response step`` and ``irf stdirf oirf stdoirf cirf stdcirf coirf
stdcoirf fevd stdfevd``); numbers from :mod:`libs.stata_stats.irf`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import stats

from libs.engine import textscan
from libs.engine.dataset import Dataset
from libs.engine.dta_reader import read_dta
from libs.engine.dta_writer import write_dta
from libs.engine.errors import StataError
from libs.engine.estimation import tsdata
from libs.engine.estimation.columns import numtext
from libs.engine.macros import strip_quotes
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.stata_stats.irf import STATISTICS, impulse_responses

_ACTIVE = "S_vrffile"
_CREATE = Spec("[, SET(string) STep(integer 8) Order(string) replace nose]")
_TABLE = Spec("[, Irf(string) Impulse(string) Response(string) noCI STDerror "
              "Level(real 95) INDividual TItle(string)]")


@command("irf", syntax=None)
def irf(session: Session, args: Args) -> None:
    """``irf set|create|table|describe|drop|graph …``."""
    sub, _, rest = args.raw.strip().partition(" ")
    sub = sub.rstrip(",")
    if sub == "set":
        _set(session, rest)
    elif sub in ("create", "cr", "cre", "crea", "creat"):
        _create(session, rest)
    elif sub in ("table", "tab", "tabl"):
        _table(session, rest)
    elif sub in ("describe", "d", "de", "des", "desc", "descr", "descri", "describ"):
        _describe(session)
    elif sub == "drop":
        _drop(session, rest)
    elif sub in ("graph", "gr", "ograph", "cgraph"):
        session.log.out(f"note: irf {sub} is not drawn by the embedded engine; the responses "
                        "are in the IRF file (irf table lists them)")
    else:
        raise StataError(198, f"irf {sub}: unknown subcommand" if sub else
                         "irf subcommand required")


def _file(session: Session, name: str) -> str:
    path = session.path(strip_quotes(name.strip()), ext=".irf")
    return str(path)


def _set(session: Session, text: str) -> None:
    """``irf set filename [, replace]`` (``irf set`` alone reports the active file)."""
    name, _, opts = text.partition(",")
    if not name.strip():
        active = session.globals.get(_ACTIVE, "")
        session.log.out(f"(active irf file: {active})" if active else "no irf file active")
        return
    path = _file(session, name)
    if "replace" in opts.split():
        Path(path).unlink(missing_ok=True)
    session.globals[_ACTIVE] = path
    session.log.out(f"(file {name.strip()}{'' if name.strip().endswith('.irf') else '.irf'} "
                    "now active)")


def _active(session: Session) -> Dataset:
    path = session.globals.get(_ACTIVE, "")
    if not path:
        raise StataError(198, "no irf file active")
    if not Path(path).exists():
        raise StataError(601, f"file {path} not found")
    return read_dta(Path(path))


def _var_parts(session: Session) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, float]:
    """Variables, lag matrices (p × K × K), Σ and Cov(vec A) from the last ``var``."""
    e = session.e
    if e.macros.get("cmd") != "var":
        raise StataError(301, "last estimates not found (irf create needs var)")
    names = e.macros["endog"].split()
    lags = [int(x) for x in e.macros["lags"].split()]
    K, p = len(names), max(lags)
    b = e.matrices["b"]
    cols = b.colnames
    V = e.matrices["V"].values
    A = np.zeros((p, K, K))
    index = np.full((p, K, K), -1)
    for k, eq in enumerate(names):
        for j, var in enumerate(names):
            for lag in lags:
                pos = cols.index(f"{eq}:{tsdata.op_name((('L', lag),), var)}")
                A[lag - 1, k, j] = b.values[0, pos]
                index[lag - 1, k, j] = pos
    # α = vec([A₁ … A_p]): column (lag, impulse j), row response k
    order = np.array([index[lag, k, j] for lag in range(p) for j in range(K)
                      for k in range(K)])
    cov = np.zeros((order.size, order.size))
    have = order >= 0
    cov[np.ix_(have, have)] = V[np.ix_(order[have], order[have])]
    return names, A, e.matrices["Sigma"].values, cov, float(e.scalars["N"])


def _create(session: Session, text: str) -> None:
    """``irf create irfname [, set(filename) step(#) order(varlist) replace nose]``."""
    head = text.split(",", 1)[0].split()
    if len(head) != 1:
        raise StataError(198, "irf create: one irfname required")
    name = head[0]
    opts = _CREATE.parse(text[len(text.split(",", 1)[0]):], session)
    if opts.opt("set"):
        _set(session, opts.opt("set"))
    names, A, sigma, cov, T = _var_parts(session)
    order = opts.opt("order", "").split() if opts.opt("order") else names
    if sorted(order) != sorted(names):
        raise StataError(198, "order() must list the variables of the VAR")
    perm = np.array([names.index(v) for v in order])
    K, p = len(names), A.shape[0]
    vec_perm = np.array([(lag * K + perm[j]) * K + perm[k] for lag in range(p)
                         for j in range(K) for k in range(K)])
    result = impulse_responses(A[:, perm][:, :, perm], sigma[np.ix_(perm, perm)],
                               cov[np.ix_(vec_perm, vec_perm)], T, int(opts.opt("step", 8)))
    steps = result.steps
    rows = [(imp, resp, s) for imp in range(K) for resp in range(K) for s in range(steps + 1)]
    block: dict[str, list[object]] = {"irfname": [name] * len(rows),
             "impulse": [order[imp] for imp, _, _ in rows],
             "response": [order[resp] for _, resp, _ in rows],
             "step": [float(s) for _, _, s in rows]}
    columns: dict[str, list[float]] = {}
    for stat in STATISTICS:
        columns[stat] = [float(result.values[stat][s, resp, imp]) for imp, resp, s in rows]
        se = [float(result.se[stat][s, resp, imp]) for imp, resp, s in rows]
        columns[f"std{stat}"] = [np.nan] * len(se) if opts.opt("nose") else se
    data = _existing(session, name, bool(opts.opt("replace")))
    _append(session, data, block, columns)
    session.log.out(f"(file {session.globals[_ACTIVE].rsplit('/', 1)[-1]} updated)")


def _existing(session: Session, name: str, replace: bool) -> Dataset | None:
    path = Path(session.globals.get(_ACTIVE, ""))
    if not session.globals.get(_ACTIVE):
        raise StataError(198, "no irf file active; use irf set or the set() option")
    if not path.exists():
        return None
    data = read_dta(path)
    same = data.strings("irfname") == name
    if same.any():
        if not replace:
            raise StataError(110, f"irfname {name} already exists in {path.name}")
        data.take(~same)
    return data


def _append(session: Session, data: Dataset | None, block: dict[str, list[object]],
            columns: dict[str, list[float]]) -> None:
    old = {} if data is None or data.n == 0 else {
        n: (data.strings(n) if data.vars[n].is_string else data.numeric(n))
        for n in data.varnames}
    out = Dataset()
    for key in ("irfname", "impulse", "response"):
        values = np.array([*old.get(key, []), *block[key]], dtype=object)
        out.add(key, values, f"str{max(1, max(len(str(v)) for v in values))}")
    out.add("step", np.array([*old.get("step", []), *block["step"]], dtype=float), "int")
    for key, stat in columns.items():
        out.add(key, np.array([*old.get(key, []), *stat], dtype=float), "double")
    write_dta(out, Path(session.globals[_ACTIVE]))


def _table(session: Session, text: str) -> None:
    """``irf table [stat …] [, irf() impulse() response() noci stderror level()]``."""
    comma = textscan.find_top(text, ",")
    stat_text = text if comma < 0 else text[:comma]
    opts = _TABLE.parse("" if comma < 0 else text[comma:], session)
    wanted = stat_text.split() or list(STATISTICS)
    for stat in wanted:
        if stat not in STATISTICS:
            raise StataError(198, f"{stat} invalid statistic")
    data = _active(session)
    names = data.strings("irfname")
    chosen = opts.opt("irf", "").split() if opts.opt("irf") else list(dict.fromkeys(names))
    impulses = opts.opt("impulse", "").split() or None
    response_names = opts.opt("response", "").split() or None
    level = float(opts.opt("level", 95.0))
    z = float(stats.norm.isf((100 - level) / 200))
    ci = not opts.opt("noci")
    for irfname in chosen:
        selected = names == irfname
        if not selected.any():
            raise StataError(111, f"irfname {irfname} not found")
        session.log.lines(["", f"Results from {irfname}", ""])
        pairs = dict.fromkeys(zip(data.strings("impulse")[selected],
                                  data.strings("response")[selected], strict=True))
        for number, (imp, resp) in enumerate(pairs, 1):
            if (impulses and imp not in impulses) or (response_names and
                                                      resp not in response_names):
                continue
            sel = selected & (data.strings("impulse") == imp) & (data.strings("response") == resp)
            session.log.lines(_pair_table(data, sel, wanted, z, ci, bool(opts.opt("stderror")),
                                          number))
            session.log.out(f"({number}) irfname = {irfname}, impulse = {imp}, and "
                            f"response = {resp}")
        if ci:
            session.log.out(f"{level:g}% lower and upper bounds reported")


def _pair_table(data: Dataset, sel: np.ndarray, wanted: list[str], z: float, ci: bool,
                stderror: bool, number: int) -> list[str]:
    heads: list[str] = []
    cols: list[np.ndarray] = []
    for stat in wanted:
        value = data.numeric(stat)[sel]
        se = data.numeric(f"std{stat}")[sel]
        heads.append(stat)
        cols.append(value)
        if ci:
            heads += ["Lower", "Upper"]
            cols += [value - z * se, value + z * se]
        if stderror:
            heads.append("S.E.")
            cols.append(se)
    width = 9 + 12 * len(heads)
    rule = "+" + "-" * width + "+"
    steps = data.numeric("step")[sel]
    lines = [rule, "|        |" + "".join(f"{'(' + str(number) + ')':>11} " for _ in heads) + "|",
             "|  Step  |" + "".join(f"{h:>11} " for h in heads) + "|",
             "|--------+" + "-" * (12 * len(heads)) + "|"]
    for i, step in enumerate(steps):
        lines.append(f"|{int(step):<8}|" + "".join(f"{numtext(c[i], '%11.0g')} "
                                                  for c in cols) + "|")
    return [*lines, rule]


def _describe(session: Session) -> None:
    data = _active(session)
    names = list(dict.fromkeys(data.strings("irfname")))
    session.log.lines(["", f"Contains irf results from {session.globals[_ACTIVE]}", "",
                       "irfname", "-" * 20, *names])


def _drop(session: Session, text: str) -> None:
    """``irf drop irfname …``."""
    data = _active(session)
    drop = np.isin(data.strings("irfname"), text.split())
    if not drop.any():
        raise StataError(111, f"irfname {text.strip()} not found")
    data.take(~drop)
    write_dta(data, Path(session.globals[_ACTIVE]))
    session.log.out(f"({', '.join(text.split())} dropped)")
