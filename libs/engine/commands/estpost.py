"""``estpost`` (SSC estout): post the results of summarize, tabulate, ttest and correlate
in ``e()`` as row vectors named by variable, so esttab/estout tabulate them with
``cells()`` (help estpost)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from libs.engine import missing
from libs.engine.dataset import Dataset
from libs.engine.errors import StataError
from libs.engine.formats import format_number
from libs.engine.percentile import percentile
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec

_SPECS = {
    "summarize": Spec("[varlist(numeric)] [if] [in] [aweight fweight iweight] [, Detail "
                      "MEANonly LISTwise CASEwise Quietly ESample]"),
    "tabulate": Spec("varlist(min=1 max=2) [if] [in] [aweight fweight iweight] [, Missing "
                     "NOLabel NOTOTal Quietly ESample ELabels sort]"),
    "ttest": Spec("varlist(numeric) [if] [in] , by(varname) [UNEqual Welch LISTwise "
                  "CASEwise Quietly ESample]"),
    "correlate": Spec("varlist(numeric min=2) [if] [in] [aweight fweight] [, MATrix "
                      "LISTwise CASEwise Quietly ESample]"),
}
_ALIASES = {"su": "summarize", "sum": "summarize", "summ": "summarize", "summa": "summarize",
            "summar": "summarize", "summari": "summarize", "summariz": "summarize",
            "ta": "tabulate", "tab": "tabulate", "tabu": "tabulate", "tabul": "tabulate",
            "tabula": "tabulate", "tabulat": "tabulate", "cor": "correlate",
            "corr": "correlate", "corre": "correlate", "correl": "correlate",
            "correla": "correlate", "correlat": "correlate"}


@command("estpost", syntax=None)
def estpost(session: Session, args: Args) -> None:
    """``estpost summarize|tabulate|ttest|correlate ...``."""
    sub, _, rest = args.raw.strip().partition(" ")
    sub = _ALIASES.get(sub, sub)
    if sub not in _SPECS:
        raise StataError(199, f"estpost {sub}: subcommand not provided by the embedded engine")
    parsed = _SPECS[sub].parse(rest, session)
    touse = parsed.touse(session)
    weights = _weights(session, parsed, touse)
    if parsed.opt("listwise") or parsed.opt("casewise"):
        for name in parsed.varlist:
            touse &= np.isfinite(session.data.numeric(name))
    post = {"summarize": _summarize, "tabulate": _tabulate, "ttest": _ttest,
            "correlate": _correlate}[sub]
    results, shown = post(session, parsed, touse, weights)
    results.macros.update({"cmd": "estpost", "subcmd": sub})
    if parsed.opt("esample"):
        results.sample = touse.copy()
    session.post_e(results)
    if not parsed.opt("quietly"):
        session.log.lines(shown)


def _weights(session: Session, parsed: Args, touse: np.ndarray) -> np.ndarray:
    if parsed.weight is None:
        return np.ones(session.data.n)
    from libs.engine.evaluator import Evaluator
    w = np.asarray(Evaluator(session, None).numeric(parsed.weight[1]), dtype=np.float64)
    touse &= np.isfinite(w)
    return w


def listing(row_title: str, labels: list[str], columns: dict[str, list[float]],
            total: dict[str, float] | None = None) -> list[str]:
    """estpost's display of the posted vectors: ``e(name)`` columns, five at a time."""
    names = list(columns)
    out: list[str] = []
    for start in range(0, len(names), 5):
        block = names[start : start + 5]
        rule = "-" * 13 + "+" + "-" * 11 * len(block)
        out += ["", f"{row_title[:12]:>12} | " + "  ".join(f"{'e(' + n + ')':>9}"
                                                           for n in block), rule]
        for i, label in enumerate(labels):
            out.append(f"{label[:12]:>12} | " + "  ".join(
                format_number(columns[n][i], "%9.0g") for n in block))
        if total is not None:
            out += [rule, f"{'Total':>12} | " + "  ".join(
                format_number(total[n], "%9.0g") if n in total else " " * 9 for n in block)]
    out.append("")
    return out


def _vectors(names: list[str], values: dict[str, list[float]]) -> dict[str, Matrix]:
    return {k: Matrix(np.array([v], dtype=np.float64), ["y1"], list(names))
            for k, v in values.items()}


def _summarize(session: Session, parsed: Args, touse: np.ndarray,
               weights: np.ndarray) -> tuple[Results, list[str]]:
    detail = bool(parsed.opt("detail"))
    keys = ["count", "sum_w", "mean"] + ([] if parsed.opt("meanonly") else ["Var", "sd"]) + (
        ["p1", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "p99", "skewness", "kurtosis"]
        if detail else []) + ["min", "max", "sum"]
    values: dict[str, list[float]] = {k: [] for k in keys}
    n_max = 0
    for name in parsed.varlist:
        x_all = session.data.numeric(name)
        mask = touse & np.isfinite(x_all)
        x, w = x_all[mask], weights[mask]
        n_max = max(n_max, int(mask.sum()))
        sw = float(w.sum())
        mean = float(np.sum(w * x) / sw) if sw else np.nan
        count = float(w.sum()) if parsed.weight and parsed.weight[0] == "fweight" else len(x)
        var = float(np.sum(w * (x - mean) ** 2) / sw * count / (count - 1)) if count > 1 \
            else np.nan
        m2 = float(np.sum(w * (x - mean) ** 2) / sw) if sw else np.nan
        row = {"count": float(count), "sum_w": sw, "mean": mean, "Var": var,
               "sd": var ** 0.5, "min": float(x.min()) if len(x) else np.nan,
               "max": float(x.max()) if len(x) else np.nan, "sum": float(np.sum(w * x)),
               "skewness": float(np.sum(w * (x - mean) ** 3) / sw) / m2 ** 1.5 if sw else np.nan,
               "kurtosis": float(np.sum(w * (x - mean) ** 4) / sw) / m2 ** 2 if sw else np.nan}
        for p in (1, 5, 10, 25, 50, 75, 90, 95, 99):
            row[f"p{p}"] = float(percentile(x, float(p), w)) if len(x) else np.nan
        for k in keys:
            values[k].append(row[k])
    results = Results(scalars={"N": float(n_max)}, matrices=_vectors(parsed.varlist, values))
    return results, listing("", parsed.varlist, values)


def _tabulate(session: Session, parsed: Args, touse: np.ndarray,
              weights: np.ndarray) -> tuple[Results, list[str]]:
    if len(parsed.varlist) == 2:
        raise StataError(198, "estpost tabulate: two-way tables are not provided by the "
                              "embedded engine")
    name = parsed.varlist[0]
    ds = session.data
    is_string = ds.var(name).is_string
    raw = ds.strings(name) if is_string else ds.numeric(name)
    keep = touse.copy()
    if not parsed.opt("missing"):
        keep &= (raw != "") if is_string else np.isfinite(raw)
    levels = sorted(set(raw[keep].tolist()), key=lambda v: (isinstance(v, float) and np.isnan(
        v), v))
    counts = [float(weights[keep & (raw == lev)].sum()) if not (
        isinstance(lev, float) and np.isnan(lev)) else float(weights[keep & ~np.isfinite(
            raw)].sum()) for lev in levels]
    total = float(sum(counts))
    labels = [str(lev) if is_string else _level_text(ds, name, float(lev),
                                                     bool(parsed.opt("nolabel")))
              for lev in levels]
    pct = [100.0 * c / total for c in counts]
    cum = list(np.cumsum(pct))
    values = {"b": counts, "pct": pct, "cumpct": cum}
    names = [_name(label) for label in labels]
    if not parsed.opt("nototal"):
        names.append("Total")
        for key, tot in (("b", total), ("pct", 100.0), ("cumpct", missing.extended(26))):
            values[key] = [*values[key], tot]
    results = Results(scalars={"N": total, "r": float(len(levels))},
                      matrices=_vectors(names, values))
    results.macros["labels"] = " ".join(f'{n} "{lab}"' for n, lab in zip(names, labels,
                                                                             strict=False))
    shown = listing(name, labels, {k: v[: len(labels)] for k, v in values.items()},
                    None if parsed.opt("nototal") else {"b": total, "pct": 100.0})
    return results, shown


def _level_text(ds: Dataset, name: str, value: float, nolabel: bool) -> str:
    text = None if nolabel else ds.value_text(name, value)
    return text if text is not None else format_number(value, "%9.0g").strip()


def _name(label: str) -> str:
    """A value label as a matrix column name (blanks are kept, as estpost does)."""
    return label.replace(":", "_") or "_"


def _ttest(session: Session, parsed: Args, touse: np.ndarray,
           weights: np.ndarray) -> tuple[Results, list[str]]:
    by = parsed.opt("by")
    g = session.data.numeric(by)
    groups = np.unique(g[touse & np.isfinite(g)])
    if len(groups) != 2:
        raise StataError(420, "more than 2 groups found, only 2 allowed" if len(groups) > 2
                         else "1 group found, 2 required")
    keys = ("b", "count", "se", "t", "df_t", "p_l", "p", "p_u", "N_1", "mu_1", "N_2", "mu_2")
    values: dict[str, list[float]] = {k: [] for k in keys}
    unequal = bool(parsed.opt("unequal") or parsed.opt("welch"))
    n_max = 0
    for name in parsed.varlist:
        x = session.data.numeric(name)
        ok = touse & np.isfinite(x) & np.isfinite(g)
        a, b = x[ok & (g == groups[0])], x[ok & (g == groups[1])]
        n1, n2 = len(a), len(b)
        n_max = max(n_max, n1 + n2)
        v1, v2 = a.var(ddof=1), b.var(ddof=1)
        if unequal:
            se = float(np.sqrt(v1 / n1 + v2 / n2))
            q1, q2 = v1 / n1, v2 / n2
            df = (q1 + q2) ** 2 / (q1 ** 2 / (n1 + 1) + q2 ** 2 / (n2 + 1)) - 2 if parsed.opt(
                "welch") else (q1 + q2) ** 2 / (q1 ** 2 / (n1 - 1) + q2 ** 2 / (n2 - 1))
        else:
            pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)
            se = float(np.sqrt(pooled * (1 / n1 + 1 / n2)))
            df = float(n1 + n2 - 2)
        diff = float(a.mean() - b.mean())
        t = diff / se
        row = {"b": diff, "count": float(n1 + n2), "se": se, "t": t, "df_t": float(df),
               "p_l": float(stats.t.cdf(t, df)), "p": float(2 * stats.t.sf(abs(t), df)),
               "p_u": float(stats.t.sf(t, df)), "N_1": float(n1), "mu_1": float(a.mean()),
               "N_2": float(n2), "mu_2": float(b.mean())}
        for k in keys:
            values[k].append(row[k])
    results = Results(scalars={"N": float(n_max)}, matrices=_vectors(parsed.varlist, values))
    n = len(parsed.varlist)
    results.matrices["V"] = Matrix(np.diag(np.square(values["se"])), parsed.varlist,
                                   parsed.varlist)
    results.scalars["df_r"] = values["df_t"][0] if n == 1 else np.nan
    return results, listing("", parsed.varlist, values)


def _correlate(session: Session, parsed: Args, touse: np.ndarray,
               weights: np.ndarray) -> tuple[Results, list[str]]:
    names = parsed.varlist
    cols = [session.data.numeric(v) for v in names]
    pairs = [(i, j) for i in range(len(names)) for j in range(len(names))
             if (parsed.opt("matrix") and j >= i) or (not parsed.opt("matrix") and i == 0
                                                      and j > 0)]
    if parsed.opt("matrix"):
        pairs = [(j, i) for i, j in pairs]
    colnames, rho, p, count = [], [], [], []
    for i, j in pairs:
        ok = touse & np.isfinite(cols[i]) & np.isfinite(cols[j])
        x, y, w = cols[i][ok], cols[j][ok], weights[ok]
        mx, my = np.average(x, weights=w), np.average(y, weights=w)
        r = float(np.sum(w * (x - mx) * (y - my)) / np.sqrt(
            np.sum(w * (x - mx) ** 2) * np.sum(w * (y - my) ** 2)))
        n = float(w.sum()) if parsed.weight and parsed.weight[0] == "fweight" else float(len(x))
        tstat = r * np.sqrt((n - 2) / (1 - r * r)) if abs(r) < 1 else np.inf
        colnames.append(f"{names[j]}:{names[i]}" if parsed.opt("matrix") else names[j])
        rho.append(r)
        p.append(float(2 * stats.t.sf(abs(tstat), n - 2)) if i != j else np.nan)
        count.append(n)
    values = {"b": rho, "rho": rho, "p": p, "count": count}
    results = Results(scalars={"N": float(max(count))}, matrices=_vectors(colnames, values))
    labels = [c.replace(":", " ") for c in colnames]
    return results, listing(names[0] if not parsed.opt("matrix") else "", labels, values)
