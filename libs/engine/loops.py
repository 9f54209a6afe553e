"""Loops: ``foreach``, ``forvalues``, ``while``, with ``continue`` / ``continue, break``."""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from libs.engine import macros, varlist
from libs.engine.errors import LoopControl, StataError
from libs.engine.executor import Executor
from libs.engine.formats import macro_text
from libs.engine.lexer import LogicalLine
from libs.engine.session import Session
from libs.engine.syntax import parse_numlist

MAX_ITERATIONS = 10_000_000


def run_loop(session: Session, lines: list[LogicalLine], header: str, raw: str) -> None:
    """Run the loop whose header (without ``{``) is ``header`` expanded, ``raw`` as typed."""
    executor = session.executor
    body = lines[1:-1]
    word = header.split(None, 1)[0]
    if word == "while":
        raw_cond = raw[5:]  # re-expanded before every test
        count = 0
        while executor.truth(raw_cond):
            count += 1
            if count > MAX_ITERATIONS or _iterate(executor, body):
                return
        return
    name, values = (_foreach if word == "foreach" else _forvalues)(session, header)
    for value in values:
        session.set_local(name, value)
        if _iterate(executor, body):
            return


def _iterate(executor: Executor, body: list[LogicalLine]) -> bool:
    """Run one iteration; True when ``continue, break`` ends the loop."""
    try:
        executor.run(body, echo=False)
    except LoopControl as ctl:
        return ctl.brk
    return False


def _foreach(session: Session, header: str) -> tuple[str, Iterable[str]]:
    m = re.match(r"^foreach\s+(\w+)\s+(in|of)\s*(.*)$", header, re.DOTALL)
    if m is None:
        raise StataError(198, "invalid syntax")
    name, how, rest = m.groups()
    if how == "in":
        return name, macros.split_words(rest)
    kind, _, items = rest.partition(" ")
    if kind in ("local", "global"):
        text = session.get_local(items.strip()) if kind == "local" else session.get_global(
            items.strip())
        return name, macros.split_words(text)
    if kind in ("varlist", "var", "varl", "varli", "varlis"):
        return name, varlist.expand(session.data, items, abbrev=session.settings.varabbrev)
    if kind in ("newlist", "newl", "newli", "newlis"):
        return name, varlist.new_names(session.data, items)
    if kind in ("numlist", "num", "numl", "numli", "numlis"):
        return name, [_num_text(v) for v in parse_numlist(items)]
    raise StataError(198, f"foreach ... of {kind}: invalid list type")


def _forvalues(session: Session, header: str) -> tuple[str, Iterable[str]]:
    m = re.match(r"^forv\w*\s+(\w+)\s*=\s*(.+)$", header, re.DOTALL)
    if m is None:
        raise StataError(198, "invalid syntax")
    name, spec = m.groups()
    start, step, stop = forvalues_range(spec)
    return name, [_num_text(v) for v in _steps(start, step, stop)]


_NUM = r"(-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)"


def forvalues_range(spec: str) -> tuple[float, float, float]:
    """(start, step, stop) of a forvalues range.

    Stata's four forms: ``#1(#d)#2``, ``#1/#2`` (step 1, never descending), ``#1 #t to #2`` and
    ``#1 #t : #2`` (step ``#t - #1``). A zero step is an error.
    """
    text = spec.strip().lower()
    forms = (
        (rf"^{_NUM}\s*\(\s*{_NUM}\s*\)\s*{_NUM}$", lambda a, d, b: (a, d, b)),
        (rf"^{_NUM}\s*/\s*{_NUM}$", lambda a, b: (a, 1.0, b)),
        (rf"^{_NUM}\s+{_NUM}\s*(?:\bto\b|:)\s*{_NUM}$", lambda a, t, b: (a, t - a, b)),
    )
    for pattern, build in forms:
        hit = re.match(pattern, text)
        if hit is not None:
            start, step, stop = build(*(float(g) for g in hit.groups()))
            if step == 0:
                raise StataError(198, "invalid syntax")
            return start, step, stop
    raise StataError(198, "invalid syntax")


def _steps(start: float, step: float, stop: float) -> Iterable[float]:
    """start, start+step, ... while not past stop; zero values when stop is behind start."""
    count = int(np.floor((stop - start) / step + 1e-9)) + 1
    return (start + i * step for i in range(max(count, 0)))


def _num_text(value: float) -> str:
    """A loop value as macro text (``.3``, not ``0.30000000000000004``)."""
    return macro_text(value)
