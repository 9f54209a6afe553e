"""The function catalogue: ``@function`` registers an expression function under its Stata names.

A function receives the :class:`Context` of the evaluation calling it (N, by-groups, scalar
mode, the session for the RNG and stored matrices) and its evaluated arguments, and returns a
:data:`~libs.engine.values.Value`. The evaluator finds it with :func:`lookup`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from libs.engine.errors import StataError
from libs.engine.groups import Groups
from libs.engine.missing import FloatArray
from libs.engine.session import Session
from libs.engine.values import Value, as_number, clean


class Context(Protocol):
    """What a function may read of the evaluation that calls it."""

    session: Session
    groups: Groups | None  #: by-groups of the evaluation (None: the whole data is one group)
    scalar: bool  #: scalar mode (``display``, ``local x = ``): one value, not one per observation
    row: int  #: the observation a scalar-mode evaluation looks at
    n: int  #: how many values a vector result has (1 in scalar mode)


Function = Callable[[Context, list[Value]], Value]


@dataclass(frozen=True)
class Entry:
    """A registered function and how many arguments it takes."""

    fn: Function
    min_args: int
    max_args: int


FUNCTIONS: dict[str, Entry] = {}


def function(*names: str, args: int | tuple[int, int] = 1) -> Callable[[Function], Function]:
    """Register a function under ``names`` taking ``args`` arguments (or a (min, max) range)."""
    lo, hi = (args, args) if isinstance(args, int) else args

    def register(fn: Function) -> Function:
        for name in names:
            FUNCTIONS[name] = Entry(fn, lo, hi)
        return fn

    return register


def draws(ev: Context, params: list[Value], draw: Callable[..., FloatArray]) -> Value:
    """One draw per observation (one number in scalar mode, as ``display runiform()``).
    Parameters may vary by observation; a missing one gives a missing draw. ``draw(k, *p)``
    returns k draws for the parameter arrays ``p`` of the observations drawn."""
    arrays = [np.broadcast_to(np.asarray(as_number(v), dtype=np.float64), (ev.n,))
              for v in params]
    ok = np.ones(ev.n, dtype=bool)
    for values in arrays:
        ok &= np.isfinite(values)
    out = np.full(ev.n, np.nan)
    out[ok] = draw(int(ok.sum()), *(values[ok] for values in arrays))
    return np.float64(out[0]) if ev.scalar else clean(out)


#: Names Stata replaced but still accepts, as old do-files use them.
OLD_NAMES = {"uniform": "runiform", "invnorm": "invnormal"}


def lookup(name: str, nargs: int) -> Function:
    """The function ``name`` called with ``nargs`` arguments (r(133) unknown, r(198) arity)."""
    entry = FUNCTIONS.get(name) or FUNCTIONS.get(OLD_NAMES.get(name, ""))
    if entry is None:
        raise StataError(133, f"unknown function {name}()")
    if not entry.min_args <= nargs <= entry.max_args:
        raise StataError(198, f"{name}(): wrong number of arguments")
    return entry.fn
