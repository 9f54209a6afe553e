"""``stsum`` (time at risk, incidence rate and survival-time percentiles) and ``stdescribe``
(subjects, records, entry and exit times, failures) of ``stset`` data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from libs.engine.estimation import stdata
from libs.engine.estimation.columns import numtext
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.survival import life_table, percentile


def _g(value: float, width: int = 10) -> str:
    return numtext(value, f"%{width}.0g")


def _rate(value: float) -> str:
    """Seven significant digits without a leading zero, as stsum shows the rate."""
    text = f"{value:.7g}"
    return f"{text[1:] if text.startswith('0.') else text:>10}"


@command("stsum", rclass=True, syntax="[if] [in] [, BY(varlist)]")
def stsum(session: Session, args: Args) -> None:
    """``stsum [if] [in] [, by(varlist)]``."""
    st = stdata.st_data(session, args.touse(session))
    groups = stdata.by_groups(session, args.opt("by") or [], st)
    lines = [*stdata.header(session), "",
             f"{'':<9}|{'':>15}Incidence     Number of   |------ Survival time -----|",
             f"{'':<9}| Time at risk     rate        subjects        25%       50%       75%",
             "-" * 9 + "+" + "-" * 69]
    results: dict[str, float] = {}
    rows = groups if len(groups) == 1 else [*groups, ("Total", np.ones(st.rows.size,
                                                                        dtype=bool))]
    for label, mask in rows:
        risk = float((st.t[mask] - st.t0[mask]).sum())
        fails = float(st.d[mask].sum())
        ids = st.ids[mask] if st.ids is not None else None
        subjects = int(np.unique(ids).size) if ids is not None else int(mask.sum())
        table = life_table(st.t0[mask], st.t[mask], st.d[mask])
        p25, p50, p75 = (percentile(table, q) for q in (25, 50, 75))
        name = label.split(" = ", 1)[-1] if label != "Total" and label else "Total"
        lines.append(f"{name[:8]:>8} | {_g(risk, 12)} {_rate(fails / risk)}"
                     f"{subjects:>14,} {_g(p25)}{_g(p50)}{_g(p75)}")
        if label in ("", "Total"):
            results = {"risk": risk, "ir": fails / risk, "N_sub": float(subjects),
                       "p25": p25, "p50": p50, "p75": p75}
    session.log.lines(lines)
    session.post_r(Results(scalars=results))


@command("stdescribe", abbrev=5, rclass=True, syntax="[if] [in]")
def stdescribe(session: Session, args: Args) -> None:
    """``stdescribe``: per-subject counts, times and failures."""
    st = stdata.st_data(session, args.touse(session))
    ids = st.ids if st.ids is not None else np.arange(st.rows.size)
    frame = pd.DataFrame({"id": ids, "t0": st.t0, "t": st.t, "d": st.d,
                          "risk": st.t - st.t0})
    by = frame.groupby("id", sort=False)
    per = pd.DataFrame({"records": by.size(), "entry": by["t0"].min(), "exit": by["t"].max(),
                        "risk": by["risk"].sum(), "fail": by["d"].sum()})
    gap = (per["exit"] - per["entry"]) - per["risk"]
    rule = "-" * 78

    def row(label: str, total: str, values: pd.Series | None) -> str:
        if values is None:
            return f"{label:<24}{total:>10}"
        return (f"{label:<24}{total:>10}{_g(float(values.mean()), 12)}"
                f"{_g(float(values.min()), 12)}{_g(float(values.median()), 11)}"
                f"{_g(float(values.max()), 11)}")

    n_sub = len(per)
    session.log.lines([
        *stdata.header(session), "",
        f"{'':<34}|{'-' * 14} Per subject {'-' * 14}|",
        f"{'Category':<24}{'Total':>10}{'Mean':>12}{'Min':>12}{'Median':>11}{'Max':>11}",
        rule,
        row("Number of subjects", f"{n_sub:,}", None),
        row("Number of records", f"{len(frame):,}", per["records"]),
        "",
        row("Entry time (first)", "", per["entry"]),
        row("Exit time (final)", "", per["exit"]),
        "",
        row("Subjects with gap", f"{int((gap > 1e-12).sum()):,}", None),
        row("Time on gap", numtext(float(gap.sum()), "%10.0g").strip(), None),
        row("Time at risk", numtext(float(per["risk"].sum()), "%10.0g").strip(), per["risk"]),
        "",
        row("Failures", numtext(float(per["fail"].sum()), "%10.0g").strip(), per["fail"]),
        rule,
    ])
    session.post_r(Results(scalars={
        "N_sub": float(n_sub), "N_total": float(len(frame)), "N_fail": float(per["fail"].sum()),
        "tr": float(per["risk"].sum()), "gap": float(gap.sum()),
        "t0_min": float(per["entry"].min()), "t1_max": float(per["exit"].max())}))
