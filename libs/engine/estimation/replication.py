"""What the replication prefixes (``simulate``, ``bootstrap``, ``permute``, ``statsby``,
``rolling``) share: splitting ``prefix exp_list, options : command``, the expression list,
running the command through the session's executor (on all the data or on a subsample, as
``command if ...`` would), the replication dots, and the dataset of replicates (``saving()``).

An expression list holds ``[name=]exp`` items and the extended expressions ``_b``, ``_b[x]``,
``_se``, ``_se[x]`` (one item per coefficient of ``e(b)``); it is expanded after the command
has run once, when ``e()`` is known.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from libs.engine import textscan
from libs.engine.dataset import Dataset
from libs.engine.dta_writer import write_dta
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.log import Log
from libs.engine.macros import strip_quotes
from libs.engine.results import Matrix
from libs.engine.session import Session
from libs.engine.values import is_string

LINESIZE = 79
_NAMED = re.compile(r"^([A-Za-z_]\w*)\s*=(?!=)\s*(.+)$", re.DOTALL)
_EEXP = re.compile(r"^(_b|_se)(?:\[(.+)\])?$")


@dataclass(frozen=True)
class Prefix:
    """``prefix exp_list [, options] : command`` split into its parts."""

    exp_list: str
    options: str
    command: str


def split_prefix(text: str, what: str) -> Prefix:
    """Split the text after a prefix command at its top-level colon."""
    colon = textscan.find_top(text, ":")
    if colon < 0:
        raise StataError(198, f"{what}: colon expected before the command")
    head, command = text[:colon], text[colon + 1 :].strip()
    if not command:
        raise StataError(198, f"{what}: command expected after the colon")
    comma = textscan.find_top(head, ",")
    if comma < 0:
        return Prefix(head.strip(), "", command)
    return Prefix(head[:comma].strip(), head[comma + 1 :].strip(), command)


@dataclass(frozen=True)
class Expression:
    """One statistic to collect: its variable ``name`` in the replicates' dataset, the
    ``text`` evaluated after each run, and the ``row`` label of results tables."""

    name: str
    text: str
    row: str
    extended: bool = False  #: from _b / _se (its value is a coefficient or a standard error)


def expressions(session: Session, exp_list: str, stub: str) -> list[Expression]:
    """The expression list, expanded against the current ``e(b)``; ``stub`` names unnamed
    items (``_sim`` → ``_sim_1``, ``_sim_2`` ...)."""
    items = _items(exp_list)
    out: list[Expression] = []
    for item in items:
        named = _NAMED.match(item)
        if named:
            out.append(Expression(named.group(1), named.group(2).strip(), named.group(1)))
            continue
        extended = _EEXP.match(item)
        if extended:
            out += _extended(session, extended.group(1), extended.group(2))
            continue
        position = len(out) + 1
        out.append(Expression(f"{stub}_{position}", item, f"{stub}_{position}"))
    names = [e.name for e in out]
    if len(set(names)) != len(names):
        raise StataError(110, "expression names must be unique")
    return out


def _items(exp_list: str) -> list[str]:
    """Top-level items, with ``name = exp`` written with blanks joined into one."""
    parts = textscan.split_top(exp_list)
    items: list[str] = []
    for part in parts:
        if items and ((part.startswith("=") and not part.startswith("=="))
                      or (items[-1].endswith("=") and not items[-1].endswith("=="))):
            items[-1] += part
        else:
            items.append(part)
    return items


def _extended(session: Session, kind: str, coef: str | None) -> list[Expression]:
    """``_b`` / ``_se`` (every coefficient) or ``_b[x]`` / ``_se[x]`` (one)."""
    b = session.e.matrices.get("b")
    if b is None:
        raise StataError(301, "last estimates not found")
    names = list(b.colnames) if coef is None else [coef.strip()]
    out = []
    for name in names:
        if coef is not None:
            try:
                name = b.colnames[b.col(name)]
            except ValueError:
                raise StataError(111, f"[{name}] not found") from None
        out.append(Expression(f"{kind}_{_safe(name)}", f"{kind}[{name}]", name, extended=True))
    return out


def _safe(name: str) -> str:
    """A coefficient name as part of a variable name (``1.foreign`` → ``1_foreign``)."""
    return re.sub(r"\W", "_", name.lstrip("_")) if name != "_cons" else "cons"


def default_expressions(session: Session, exp_list: str, stub: str,
                        e_before: object) -> list[Expression]:
    """The expressions once the command has run; without a list, Stata's default: ``_b`` when
    the command changed ``e()`` (``e_before`` is ``session.e`` before the run), otherwise
    every scalar it left in ``r()``."""
    if exp_list.strip():
        return expressions(session, exp_list, stub)
    if session.e is not e_before and "b" in session.e.matrices:
        return expressions(session, "_b", stub)
    if session.r.scalars:
        return [Expression(name, f"r({name})", name) for name in session.r.scalars]
    raise StataError(198, "expression list required (the command left no results)")


def seed_option(session: Session, text: str | None) -> None:
    """``seed(#)``: reseed before the first replication (Stata's rngstate strings are not
    accepted: the engine's generator is numpy's)."""
    if not text:
        return
    try:
        session.set_seed(int(float(text)))
    except ValueError:
        raise StataError(198, f"seed({text}) invalid: the embedded engine takes an integer "
                              "seed") from None


def evaluate(session: Session, exps: list[Expression]) -> np.ndarray:
    """The value of each expression now (a string result is an error, r(109))."""
    ev = Evaluator(session, scalar=True)
    values = np.empty(len(exps))
    for j, e in enumerate(exps):
        value = ev.evaluate(e.text)
        if is_string(value):
            raise StataError(109, f"{e.text}: type mismatch")
        values[j] = float(value)
    return values


def run(session: Session, command: str, *, noisily: bool) -> None:
    """Run ``command`` through the session's executor, quietly unless ``noisily``."""
    log = session.log
    log.quiet += 0 if noisily else 1
    try:
        session.executor.with_prefixes(command, None)
    finally:
        log.quiet -= 0 if noisily else 1


def run_on(session: Session, command: str, mask: np.ndarray, *, noisily: bool) -> None:
    """Run ``command`` on the observations of ``mask`` as ``command if mask`` would: the other
    observations stay in memory (so ``L.x`` reads the observation before the subsample) but
    every command that honours ``if``/``in`` leaves them out."""
    saved = session.by_mask
    session.by_mask = mask
    try:
        run(session, command, noisily=noisily)
    finally:
        session.by_mask = saved


def collect_subsamples(session: Session, prefix: Prefix, masks: list[np.ndarray], dots: Dots,
                       *, noisily: bool, drop_others: bool = False,
                       what: str = "subsample") -> tuple[list[Expression], np.ndarray]:
    """Run the prefix's command once per mask (``statsby`` groups, ``rolling`` windows) as
    ``command if mask`` would — or with the other observations dropped from memory
    (``drop_others``) — and collect its expressions (``_stat_#`` when unnamed; without a list,
    :func:`default_expressions`): rows × k, missing where a run failed (an ``x`` in the dots).
    The data in memory are restored after each run."""
    data = session.data
    exps: list[Expression] | None = None
    rows: list[np.ndarray | None] = []
    try:
        for mask in masks:
            try:
                e_before = session.e
                if drop_others:
                    session.data = data.copy()
                    session.data.take(mask)
                    run(session, prefix.command, noisily=noisily)
                else:
                    run_on(session, prefix.command, mask, noisily=noisily)
                if exps is None:
                    exps = default_expressions(session, prefix.exp_list, "_stat", e_before)
                rows.append(evaluate(session, exps))
                dots.tick(True)
            except StataError:
                rows.append(None)
                dots.tick(False)
            finally:
                session.data = data
    finally:
        dots.done()
    if exps is None:
        raise StataError(2000, f"the command failed in every {what}")
    missing = np.full(len(exps), np.nan)
    return exps, np.vstack([missing if row is None else row for row in rows])


def replicate(session: Session, command: str, exps: list[Expression], reps: int,
              draw: Callable[[], Dataset], dots: Dots, *, noisily: bool) -> np.ndarray:
    """Run ``command`` on ``reps`` datasets made by ``draw`` and collect the expressions
    (reps × k; a failed run leaves missing values and an ``x``); the data in memory are
    restored afterwards."""
    original = session.data
    values = np.full((reps, len(exps)), np.nan)
    try:
        for rep in range(reps):
            session.data = draw()
            try:
                run(session, command, noisily=noisily)
                values[rep] = evaluate(session, exps)
                dots.tick(True)
            except StataError:
                dots.tick(False)
    finally:
        session.data = original
    dots.done()
    return values


def legend(command: str, exps: list[Expression]) -> list[str]:
    """``      Command: ...`` and one ``name: exp`` line per (non-extended) expression."""
    lines = [f"{'Command':>13}: {command}"]
    lines += [f"{e.name[:13]:>13}: {e.text}" for e in exps if not e.extended]
    return lines


class Dots:
    """Stata's replication dots: ``Simulations (100): .........10 ... done`` (``x`` for a
    failed replication), written when done, wrapped at the line size."""

    def __init__(self, log: Log, title: str, reps: int, *, shown: bool) -> None:
        self.log, self.shown = log, shown
        self.text = f"{title} ({reps:,}): "
        self.count = 0

    def tick(self, ok: bool) -> None:
        """Mark one replication."""
        self.count += 1
        if not ok:
            self.text += "x"
        elif self.count % 10 == 0:
            self.text += str(self.count)
        else:
            self.text += "."

    def done(self) -> None:
        """Write the dots line (wrapped) followed by ``done``."""
        if not self.shown:
            return
        text = self.text + " done"
        self.log.lines([text[k : k + LINESIZE] for k in range(0, len(text), LINESIZE)])


def replicates_dataset(exps: list[Expression], values: np.ndarray, *, double: bool) -> Dataset:
    """One variable per expression (labelled with it), one observation per replication."""
    ds = Dataset()
    ds.n = values.shape[0]
    for j, e in enumerate(exps):
        ds.add(e.name, values[:, j], "double" if double else "float", label=e.text[:80])
    ds.changed = True
    return ds


@dataclass(frozen=True)
class Saving:
    """``saving(filename [, replace double every(#)])``."""

    path: Path
    double: bool

    def write(self, exps: list[Expression], values: np.ndarray) -> None:
        """Write the replicates' dataset."""
        write_dta(replicates_dataset(exps, values, double=self.double), self.path)


def parse_saving(session: Session, spec: str | None) -> Saving | None:
    """The ``saving()`` option (r(602) if the file exists without ``replace``)."""
    if not spec:
        return None
    name, _, opts = spec.partition(",")
    words = [w.lower() for w in textscan.split_top(opts)]
    unknown = [w for w in words if w not in ("replace", "double") and not w.startswith("every(")]
    if unknown:
        raise StataError(198, f"saving(): option {unknown[0]} not allowed")
    path: Path = session.path(strip_quotes(name.strip()), ext=".dta")
    if path.exists() and "replace" not in words:
        raise StataError(602, f"file {path.name} already exists")
    return Saving(path, "double" in words)


def row_matrix(values: np.ndarray, names: list[str], row: str = "y1") -> Matrix:
    """A 1 × k matrix with column names (``e(b)``-like)."""
    return Matrix(np.asarray(values, dtype=np.float64)[None, :], [row], names)
