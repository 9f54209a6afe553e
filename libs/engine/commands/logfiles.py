"""``log using`` / ``log close`` / ``log off|on``: a second log beside the batch log."""

from __future__ import annotations

import datetime as dt

from libs.engine.errors import StataError
from libs.engine.macros import strip_quotes
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args


@command("log", syntax=None)
def log_(session: Session, args: Args) -> None:
    """``log using file [, replace append text smcl name()]``, ``log close``, ``log off|on``."""
    text = args.raw.strip()
    log = session.log
    if text.startswith("using"):
        body, _, opts = text[5:].partition(",")
        path = session.path(strip_quotes(body), ext=".smcl" if "text" not in opts else ".log")
        if path.exists() and not ("replace" in opts or "append" in opts):
            raise StataError(602, f"file {path.name} already exists")
        log.open_user(path, append="append" in opts)
        _log_banner(session, path, "opened on")
    elif text.startswith("close"):
        if log.user is None and "_all" not in text:
            raise StataError(606, "no log file open")
        if log.user is not None:
            assert log.user_path is not None
            _log_banner(session, log.user_path, "closed on")
            log.close_user()
    elif text in ("off", "on"):
        log.user_on = text == "on"
    elif text in ("", "query"):
        return
    else:
        raise StataError(198, "invalid syntax")


def _log_banner(session: Session, path: object, when: str) -> None:
    """The header/footer Stata prints (into the log too) when a ``log using`` opens/closes."""
    stamp = dt.datetime.now().strftime("%d %b %Y, %H:%M:%S").lstrip("0")
    session.log.lines(["-" * 79, "      name:  <unnamed>", f"       log:  {path}",
                       "  log type:  text", f"{when:>10}:  {stamp}", "-" * 79])
