"""Confined file commands: ``cd``, ``erase``, ``mkdir``, ``copy`` (working directory only)."""

from __future__ import annotations

import re
import shutil

from libs.engine.errors import StataError
from libs.engine.macros import split_words, strip_quotes
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args


@command("cd", syntax="[anything]")
def cd(session: Session, args: Args) -> None:
    """``cd dir``: only within the working directory; any failure is Stata's r(170)."""
    try:
        target = session.path(args.anything or ".")
    except StataError as err:
        raise StataError(170, f"unable to change to {args.anything}\n({err.message})") from err
    if not target.is_dir():
        raise StataError(170, f"unable to change to {args.anything}")
    session.cwd = target
    session.log.out(str(target))


@command("erase", syntax="anything", aliases=("rm",))
def erase(session: Session, args: Args) -> None:
    """``erase file`` inside the working directory (r(601) if absent)."""
    path = session.path(strip_quotes(args.anything), must_exist=True)
    path.unlink()


@command("mkdir", syntax="anything [, public]")
def mkdir(session: Session, args: Args) -> None:
    """``mkdir dir`` inside the working directory (r(693) if it exists)."""
    path = session.path(strip_quotes(args.anything))
    if path.exists():
        raise StataError(693, f"could not create directory {args.anything}")
    path.mkdir(parents=False)


@command("copy", syntax="anything [, replace public text]")
def copy(session: Session, args: Args) -> None:
    """``copy from to [, replace]`` with both files inside the working directory."""
    parts = split_words(args.anything)
    if len(parts) != 2 or re.match(r"^\w+://", parts[0]):
        raise StataError(198 if len(parts) != 2 else 199, "copy: two local files expected "
                         "(no network access in the embedded engine)")
    src = session.path(parts[0], must_exist=True)
    dst = session.path(parts[1])
    if dst.exists() and not args.opt("replace"):
        raise StataError(602, f"file {parts[1]} already exists")
    shutil.copyfile(src, dst)
