"""``ss_store_model``: the result helper templates call after an estimation (docs/results.md).

Appends the current ``e(b)``/``e(V)`` to ``results/coefficients.csv``, the ``e()`` scalars
to ``results/model_stats.csv`` and a row to ``results/models.csv``, creating each file with
its header on first use. ``do_library/ado/ss_store_model.ado`` does the same in real Stata.
Values Stata does not store for every command are derived the same way in both: ``p`` from
``F`` (``Ftail(df_m, df_r, F)``) when ``e(p)`` is absent, ``aic``/``bic`` from ``e(ll)`` and
``e(rank)`` as ``estat ic`` computes them, and ``level`` from ``c(level)``.
"""

from __future__ import annotations

import csv

import numpy as np
from scipy import stats

from libs.engine.commands.tables import number_text, write_csv
from libs.engine.errors import StataError
from libs.engine.estimation.post import estimation_from_e, is_omitted_name
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args

COEFFICIENT_COLUMNS = [
    "model",
    "term",
    "label",
    "coef",
    "se",
    "stat",
    "stat_type",
    "p",
    "ci_lo",
    "ci_hi",
    "omitted",
]
STAT_COLUMNS = ["model", "stat", "value"]
MODEL_COLUMNS = ["model", "title", "cmd", "depvar", "vce", "vcetype", "clustvar"]
#: e() statistics written to model_stats.csv, in this order, when the estimator sets them.
MODEL_STATS = (
    "N",
    "r2",
    "r2_a",
    "F",
    "df_m",
    "df_r",
    "p",
    "chi2",
    "ll",
    "ll_0",
    "r2_p",
    "rmse",
    "N_clust",
    "N_g",
    "r2_w",
    "r2_b",
    "r2_o",
    "sigma_u",
    "sigma_e",
    "rho",
    "aic",
    "bic",
    "level",
)


def _append(session: Session, name: str, header: list[str], rows: list[list[str]]) -> None:
    folder = session.path("results")
    folder.mkdir(exist_ok=True)
    path = session.path(f"results/{name}")
    existing: list[list[str]] = []
    if path.exists():
        with path.open(encoding="utf-8", newline="") as fh:
            existing = list(csv.reader(fh))[1:]
    write_csv(path, header, existing + rows)


def _label(session: Session, term: str) -> str:
    if "#" in term or term == "_cons":
        return ""
    var = term.rpartition(".")[2]
    meta = session.data.vars.get(var)
    return meta.label if meta is not None else ""


def model_statistics(scalars: dict[str, float], level: float) -> dict[str, float]:
    """The model_stats.csv values of an ``e()`` (with p, aic, bic and level derived)."""
    out = {k: float(v) for k, v in scalars.items() if k in MODEL_STATS and np.isfinite(v)}
    if "p" not in out and "F" in out and "df_m" in out and "df_r" in out:
        out["p"] = float(stats.f.sf(out["F"], out["df_m"], out["df_r"]))
    if "ll" in out and "N" in out:
        k = float(scalars.get("rank", np.nan))
        if np.isfinite(k):
            out["aic"] = -2.0 * out["ll"] + 2.0 * k
            out["bic"] = -2.0 * out["ll"] + np.log(out["N"]) * k
    out["level"] = level
    return {k: out[k] for k in MODEL_STATS if k in out}


@command("ss_store_model", syntax="name [, TItle(string) Level(real 95)]")
def ss_store_model(session: Session, args: Args) -> None:
    """``ss_store_model name [, title(string)]`` after an estimation command."""
    model = args.varlist[0] if args.varlist else args.anything.strip()
    if not model:
        raise StataError(198, "ss_store_model: model name required")
    store_model(session, model, args.opt("title") or "", float(args.opt("level", 95.0)))


@command("ss_collect_estimates", syntax="[, Level(real 95)]")
def ss_collect_estimates(session: Session, args: Args) -> None:
    """``ss_collect_estimates``: every ``estimates store``d result (else the active one, as
    model ``active``) into the results files, each under its stored name, in the order they
    were stored. Runs after a client's own do-file (docs/dofiles.md); does nothing when the
    do-file wrote ``results/coefficients.csv`` itself."""
    if session.path("results/coefficients.csv").exists():
        session.log.out("(results/ already holds models: nothing collected)")
        return
    stored = list(session.estimates.items())
    if not stored and "b" in session.e.matrices:
        stored = [("active", session.e)]
    active, level = session.e, float(args.opt("level", 95.0))
    collected = 0
    try:
        for name, results in stored:
            session.e = results
            try:
                store_model(session, name, name, level)
            except StataError as exc:  # a stored result without coefficients
                session.log.out(f"({name} not collected: {exc.message})")
                continue
            collected += 1
    finally:
        session.e = active
    session.log.out(f"({collected} estimation result{'s' if collected != 1 else ''} "
                    "collected into results/)")


def store_model(session: Session, model: str, title: str, level: float) -> None:
    """Append the current ``e()`` as model ``model`` to the three results files."""
    est = estimation_from_e(session)
    table = est.table(level)
    stat_type = "z" if est.df_r is None else "t"
    rows = []
    for j, term in enumerate(est.names):
        omitted = est.omitted[j] or is_omitted_name(term)
        numbers = [est.b[j], *(np.nan,) * 6] if omitted else [est.b[j], *table[1:6, j]]
        coef, se, stat, p, lo, hi = numbers[:6]
        rows.append(
            [
                model,
                term,
                _label(session, term),
                number_text(coef),
                number_text(se),
                number_text(stat),
                stat_type,
                number_text(p),
                number_text(lo),
                number_text(hi),
                "1" if omitted else "0",
            ]
        )
    _append(session, "coefficients.csv", COEFFICIENT_COLUMNS, rows)
    values = model_statistics(est.scalars, level)
    _append(
        session,
        "model_stats.csv",
        STAT_COLUMNS,
        [[model, k, number_text(v)] for k, v in values.items()],
    )
    m = est.macros
    title = title or m.get("cmd", "")
    _append(
        session,
        "models.csv",
        MODEL_COLUMNS,
        [
            [
                model,
                title,
                m.get("cmd", ""),
                m.get("depvar", ""),
                m.get("vce", ""),
                m.get("vcetype", ""),
                m.get("clustvar", ""),
            ]
        ],
    )
    session.log.out(f"(model {model} stored: {len(rows)} terms, {len(values)} statistics)")
