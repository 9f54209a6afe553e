"""``preserve`` / ``restore``: snapshot the data (restored when the program or do-file ends)."""

from __future__ import annotations

from libs.engine.errors import StataError
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args


@command("preserve", abbrev=8, syntax="[, changed]")
def preserve(session: Session, args: Args) -> None:
    """``preserve``: r(621) if this level already preserved."""
    if session.frame.preserved is not None:
        raise StataError(621, "already preserved")
    session.frame.preserved = session.data.copy()
    session.frame.preserved_tsset = session.tsset


@command("restore", syntax="[, not preserve]")
def restore(session: Session, args: Args) -> None:
    """``restore [, not preserve]``: r(622) when nothing is preserved."""
    frame = next((f for f in reversed(session.frames) if f.preserved is not None), None)
    if frame is None or frame.preserved is None:
        raise StataError(622, "nothing to restore")
    if args.opt("not"):
        frame.preserved = None
        return
    session.data = frame.preserved.copy() if args.opt("preserve") else frame.preserved
    session.tsset = frame.preserved_tsset
    if not args.opt("preserve"):
        frame.preserved = None
