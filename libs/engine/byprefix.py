"""The ``by`` / ``bysort`` prefix: group the data and run a command per group or for all."""

from __future__ import annotations

import re

import numpy as np

from libs.engine import formats, registry, textscan, varlist
from libs.engine.errors import StataError
from libs.engine.groups import groups_of
from libs.engine.session import Session
from libs.engine.sorting import sort_data

RULE = "-" * 79


def run_by(session: Session, word: str, rest: str) -> None:
    """Run ``by varlist [(sortvars)] [, sort]: command``."""
    executor = session.executor
    colon = textscan.find_top(rest, ":")
    if colon < 0:
        raise StataError(198, "by: colon expected")
    spec, command = rest[:colon], rest[colon + 1 :].strip()
    spec, _, opts = spec.partition(",")
    do_sort = word != "by" or "sort" in opts.split()
    paren = re.search(r"\(([^)]*)\)", spec)
    inner = paren.group(1) if paren else ""
    outer = re.sub(r"\([^)]*\)", " ", spec)
    ds = session.data
    by_vars = varlist.expand(ds, outer, abbrev=session.settings.varabbrev)
    sort_vars = by_vars + varlist.expand(ds, inner, abbrev=session.settings.varabbrev)
    if do_sort:
        sort_data(session.data, sort_vars)
    elif inner:
        groups_of(ds, sort_vars)  # r(5) unless sorted by all of them
    groups = groups_of(ds, by_vars)
    name = _command_name(command)
    if name in session.programs or _workspace_program(session, name):
        if session.programs[name].byable != "recall":
            raise StataError(190, f"{name} may not be combined with by")
        for g in range(groups.count):
            _header(session, by_vars, int(groups.starts[g]))
            session.by_program = (groups.ids == g, len(session.frames) + 1)
            try:
                executor.with_prefixes(command, None)
            finally:
                session.by_program = None
        return
    entry = registry.lookup(name)
    if entry.byable == "no":
        raise StataError(190, f"{entry.name} may not be combined with by")
    if entry.byable == "groups":  # one call; the command reads session.by
        session.by = groups
        try:
            executor.with_prefixes(command, None)
        finally:
            session.by = None
        return
    for g in range(groups.count):
        _header(session, by_vars, int(groups.starts[g]))
        session.by_mask = groups.ids == g
        session.by = groups  # so _n/_N in if/in qualifiers count within the group
        try:
            executor.with_prefixes(command, None)
        finally:
            session.by_mask = None
            session.by = None


def _workspace_program(session: Session, name: str) -> bool:
    """Whether ``name``, not a command the engine has, is a program in the workspace's
    ``<name>.ado`` (loaded now); a command the engine has is never looked for there."""
    try:
        registry.lookup(name)
    except StataError:
        return session.executor.load_program(name)
    return False


def _header(session: Session, by_vars: list[str], start: int) -> None:
    """The ``-> g = value`` lines before a group's output."""
    session.log.out()
    session.log.out(RULE)
    session.log.out("-> " + ", ".join(f"{v} = {_shown(session, v, start)}" for v in by_vars))


_PREFIXES = re.compile(r"^\s*(?:(?:cap\w*|qui\w*|noi\w*)\s*:?\s+)*([A-Za-z_]\w*)")


def _command_name(command: str) -> str:
    """The command after any capture/quietly/noisily prefixes."""
    m = _PREFIXES.match(command)
    if m is None:
        raise StataError(198, "by: command expected")
    return m.group(1)


def _shown(session: Session, name: str, row: int) -> str:
    ds = session.data
    value = ds.cols[name][row]
    if isinstance(value, str):
        return value
    text = ds.value_text(name, float(value))
    return text if text is not None else formats.format_number(
        float(np.float64(value)), ds.vars[name].format).strip()
