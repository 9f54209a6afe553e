"""``stset``: declare survival-time data.

``stset timevar [if], [failure(failvar[==numlist]) id(idvar) origin(time exp)
enter(time exp) exit(failure | time exp) scale(#) time0(varname)]``; ``stset, clear``.
Analysis time is (time − origin)/scale. A record covers (t0, t]: t0 is ``time0()``, else the
subject's previous record (with ``id()``), else the origin; ``enter()`` moves it later and
``exit()`` ends it (censored there). Without ``id()`` every record is a subject; with it,
records after a subject's first failure are excluded (``exit(failure)``, the default).
Excluded records (missing time, an empty or negative interval, outside ``if``) get ``_st = 0``
and missing ``_d``, ``_t``, ``_t0``; the characteristics are those of
:mod:`libs.engine.estimation.stdata`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from libs.engine.errors import StataError
from libs.engine.estimation import stdata
from libs.engine.estimation.columns import numtext
from libs.engine.evaluator import Evaluator
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec, parse_numlist
from libs.engine.varlist import resolve

_SPEC = Spec("[varname] [if] [, Failure(string) ID(varname) ORigin(string) ENTer(string) "
             "EXit(string) SCale(real 1) TIME0(varname) clear noSHow]")
_VARIABLES = ("_st", "_d", "_t", "_t0")
_CHARS = ("_dta", "st_ver", "st_bt", "st_bd", "st_ev", "st_id", "st_bt0", "st_orig", "st_s",
          "st_enter", "st_exit")


def _time_exp(session: Session, text: str | None, what: str) -> np.ndarray | None:
    """``origin(time exp)``/``enter()``/``exit()``: the values of the expression (the word
    ``time`` is optional)."""
    if not text:
        return None
    exp = re.sub(r"^\s*time\s+", "", text)
    if not exp.strip():
        raise StataError(198, f"{what}() invalid")
    return Evaluator(session).numeric(exp)


def _failure(session: Session, text: str | None) -> tuple[np.ndarray, str, str]:
    """The failure indicator of every record, the failure variable and its values."""
    n = session.data.n
    if not text:
        return np.ones(n), "", ""
    var, eq, values = text.partition("==")
    name = resolve(session.data, var.strip())
    x = session.data.numeric(name)
    if eq:
        codes = parse_numlist(values)
        return np.isin(x, codes).astype(float), name, " ".join(f"{c:g}" for c in codes)
    return (np.isfinite(x) & (x != 0)).astype(float), name, ""


@command("stset", syntax=None)
def stset(session: Session, args: Args) -> None:
    """``stset timevar [if], failure() id() origin() enter() exit() scale() time0()``."""
    opts = _SPEC.parse(args.raw, session)
    ds = session.data
    if opts.opt("clear"):
        ds.drop([v for v in _VARIABLES if v in ds.vars])
        for key in _CHARS:
            ds.chars.pop(key, None)
        return
    if not opts.varlist:
        _report(session)
        return
    time_var = opts.varlist[0]
    time = ds.numeric(time_var)
    scale = float(opts.opt("scale", 1.0))
    if scale <= 0:
        raise StataError(198, "scale() must be positive")
    fail, fail_var, fail_values = _failure(session, opts.opt("failure"))
    idvar = opts.opt("id")
    ids = None
    if idvar:
        ids = ds.strings(idvar) if ds.vars[idvar].is_string else ds.numeric(idvar)
    origin = _time_exp(session, opts.opt("origin"), "origin")
    if origin is None:
        origin = np.zeros(ds.n)
    elif ids is not None:
        origin = pd.Series(origin).groupby(pd.Series(ids)).transform("min").to_numpy()
    t = (time - origin) / scale
    if opts.opt("time0"):
        t0 = (ds.numeric(opts.opt("time0")) - origin) / scale
    elif ids is not None:
        frame = pd.DataFrame({"id": ids, "t": t})
        t0 = frame.sort_values(["id", "t"]).groupby("id")["t"].shift(1).reindex(
            frame.index).fillna(0.0).to_numpy()
    else:
        t0 = np.zeros(ds.n)
    t0 = np.maximum(t0, 0.0)
    enter = _time_exp(session, opts.opt("enter"), "enter")
    if enter is not None:
        t0 = np.maximum(t0, (enter - origin) / scale)
    exit_text = (opts.opt("exit") or "").strip()
    if exit_text and exit_text != "failure":
        limit = (_time_exp(session, exit_text, "exit") - origin) / scale  # type: ignore[operator]
        fail = np.where(t > limit, 0.0, fail)
        t = np.minimum(t, limit)
    keep = opts.touse(session) & np.isfinite(t) & np.isfinite(t0) & (t > t0)
    if ids is not None:
        keep &= _before_first_failure(ids, t, fail, keep)
    _store(session, keep, fail, t, t0)
    chars = ds.chars
    for key in _CHARS:
        chars.pop(key, None)
    chars.update({"_dta": "st", "st_ver": "2", "st_bt": time_var, "st_bd": fail_var,
                  "st_ev": fail_values, "st_id": idvar or "", "st_s": f"{scale:g}",
                  "st_orig": re.sub(r"^\s*time\s+", "", opts.opt("origin") or ""),
                  "st_bt0": opts.opt("time0") or "", "st_enter": opts.opt("enter") or "",
                  "st_exit": exit_text})
    chars_clean = {k: v for k, v in chars.items() if v != ""}
    chars.clear()
    chars.update(chars_clean)
    if not opts.opt("noshow"):
        _report(session, excluded=int(ds.n - keep.sum()))


def _before_first_failure(ids: np.ndarray, t: np.ndarray, fail: np.ndarray,
                          keep: np.ndarray) -> np.ndarray:
    """Records up to each subject's first failure (exit(failure))."""
    frame = pd.DataFrame({"id": ids, "t": t, "f": np.where(keep, fail, 0.0)})
    first = frame[frame.f > 0].groupby("id")["t"].min()
    limit = frame["id"].map(first).to_numpy(dtype=float)
    return np.asarray(~(t > limit), dtype=bool)


def _store(session: Session, keep: np.ndarray, fail: np.ndarray, t: np.ndarray,
           t0: np.ndarray) -> None:
    ds = session.data
    values = {"_st": keep.astype(float), "_d": np.where(keep, fail, np.nan),
              "_t": np.where(keep, t, np.nan), "_t0": np.where(keep, t0, np.nan)}
    whole = all(np.all(v[np.isfinite(v)] == np.round(v[np.isfinite(v)]))
                for v in (values["_t"], values["_t0"]))
    types = {"_st": "byte", "_d": "byte", "_t": "long" if whole else "double",
             "_t0": "long" if whole else "double"}
    for name in _VARIABLES:
        if name in ds.vars:
            ds.set(name, values[name], types[name])
        else:
            ds.add(name, values[name], types[name])


def _report(session: Session, excluded: int | None = None) -> None:
    """The settings and the summary of the records, as ``stset`` shows them."""
    chars = stdata.settings(session)
    st = stdata.st_data(session)
    lines = ["", "Survival-time data settings", ""]
    if chars.get("st_id"):
        lines.append(f"{'ID variable:':>22} {chars['st_id']}")
    bd, ev = chars.get("st_bd", ""), chars.get("st_ev", "")
    event = f"{bd}=={ev}" if ev else f"{bd}!=0 & {bd}<." if bd else \
        "(assumed to fail at time of exit)"
    lines += [f"{'Failure event:':>22} {event}",
              f"Observed time interval: (0, {chars['st_bt']}]" if not chars.get("st_id")
              else f"Observed time interval: ({chars['st_bt']}[_n-1], {chars['st_bt']}]",
              f"{'Exit on or before:':>22} {chars.get('st_exit') or 'failure'}"]
    n_total = session.data.n
    lines += ["", "-" * 74, f"{n_total:>11,}  total observations"]
    lines.append(f"{(excluded if excluded is not None else n_total - st.rows.size):>11,}  "
                 "exclusions")
    lines += ["-" * 74, f"{st.rows.size:>11,}  observations remaining, representing"]
    if st.ids is not None:
        lines.append(f"{st.subjects:>11,}  subjects")
    kind = "single-record/single-failure" if st.ids is None else "multiple-record/single-failure"
    lines.append(f"{int(st.d.sum()):>11,}  failures in {kind} data")
    lines.append(f"{numtext(float((st.t - st.t0).sum()), '%11.0g').strip():>11}  total analysis "
                 "time at risk and under observation")
    lines += [f"{'At risk from t =':>60} {numtext(0.0, '%9.0g')}",
              f"{'Earliest observed entry t =':>60} {numtext(float(st.t0.min()), '%9.0g')}",
              f"{'Last observed exit t =':>60} {numtext(float(st.t.max()), '%9.0g')}"]
    session.log.lines(lines)
