"""``do``/``run``/``include`` of another do-file (inside the working directory), ``adopath``
(accepted: SS helper commands are native), and the ``file`` command for text output."""

from __future__ import annotations

import re
from typing import TextIO

from libs.engine import macros
from libs.engine.directives import render
from libs.engine.errors import ExitRequest, StataError
from libs.engine.lexer import logical_lines
from libs.engine.registry import command
from libs.engine.session import Frame, Session
from libs.engine.syntax import Args


def _run_file(session: Session, name: str, *, echo: bool, new_frame: bool) -> None:
    words = macros.split_words(name)
    if not words:
        raise StataError(198, "file name required")
    path = session.path(words[0], ext=".do", must_exist=True)
    lines = logical_lines(path.read_text(encoding="utf-8", errors="replace"))
    frame = Frame()
    frame.locals["0"] = " ".join(words[1:])
    for k, word in enumerate(words[1:], start=1):
        frame.locals[str(k)] = word
    if new_frame:
        session.frames.append(frame)
    try:
        session.executor.run(lines, echo=echo)
    except ExitRequest as ex:
        if ex.code:
            raise StataError(ex.code, "") from None
    finally:
        if new_frame:
            session.frames.pop()


@command("do", syntax=None)
def do(session: Session, args: Args) -> None:
    """``do file [args]``: run another do-file, echoing its commands."""
    _run_file(session, args.raw, echo=session.log.shown, new_frame=True)


@command("run", syntax=None)
def run(session: Session, args: Args) -> None:
    """``run file [args]``: run another do-file without output."""
    session.log.quiet += 1
    try:
        _run_file(session, args.raw, echo=False, new_frame=True)
    finally:
        session.log.quiet -= 1


@command("include", syntax=None)
def include(session: Session, args: Args) -> None:
    """``include file``: run its lines in the current frame (locals are shared)."""
    _run_file(session, args.raw, echo=False, new_frame=False)


@command("adopath", syntax=None, aliases=("sysdir",))
def adopath(session: Session, args: Args) -> None:
    """Accepted and ignored: the SS helpers are native commands of the engine."""


_HANDLE = re.compile(r"^\s*(\w+)\s*(.*)$", re.DOTALL)


@command("file", syntax=None)
def file(session: Session, args: Args) -> None:
    """``file open h using f, write|read [replace append text]``, ``file write h ...``,
    ``file close h|_all`` (files inside the working directory)."""
    handles: dict[str, TextIO] = session.file_handles
    sub, _, rest = args.raw.strip().partition(" ")
    if sub == "open":
        m = re.match(r"^\s*(\w+)\s+using\s+(.+?)\s*,\s*(.*)$", rest)
        if m is None:
            raise StataError(198, "invalid syntax")
        handle, name, opts = m.groups()
        if handle in handles:
            raise StataError(110, f"file handle {handle} already exists")
        path = session.path(macros.strip_quotes(name))
        words = opts.split()
        if "write" in words:
            if path.exists() and not ({"replace", "append"} & set(words)):
                raise StataError(602, f"file {path.name} already exists")
            handles[handle] = path.open("a" if "append" in words else "w", encoding="utf-8")
        else:
            if not path.exists():
                raise StataError(601, f"file {path.name} not found")
            handles[handle] = path.open("r", encoding="utf-8")
        session.set_local(handle, handle)
    elif sub == "write":
        m = _HANDLE.match(rest)
        if m is None or m.group(1) not in handles:
            raise StataError(603, "file handle not open")
        handles[m.group(1)].write(render(session, m.group(2)).replace("\x00", ""))
    elif sub == "close":
        names = list(handles) if rest.strip() == "_all" else [rest.strip()]
        for name in names:
            if name not in handles:
                raise StataError(603, f"file handle {name} not open")
            handles.pop(name).close()
    else:
        raise StataError(198, f"file {sub}: not supported by the embedded engine")
