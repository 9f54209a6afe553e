"""The Stata-like log: ``. command`` echoes, command output, error messages and ``r(NNN);``.

Output goes to every open sink: the batch log (``FILE.log``) and a ``log using`` file.
``quietly`` suppresses output (errors still show, as in Stata); ``capture`` suppresses both.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from libs.engine.errors import StataError

LINESIZE = 79


class Log:
    """Writes the session log; command functions use :meth:`out` for their output."""

    def __init__(self, sink: TextIO | None) -> None:
        self.sinks: list[TextIO] = [sink] if sink is not None else []
        self.user: TextIO | None = None
        self.user_path: Path | None = None
        self.user_on = True
        self.quiet = 0  #: > 0 while under quietly
        self.silent = 0  #: > 0 while under capture (errors too are hidden)
        self._partial = False  # the last write left an unfinished line (display ..., _c)

    # -- sinks ---------------------------------------------------------------------------------
    def open_user(self, path: Path, *, append: bool) -> None:
        """``log using``: copy output to ``path`` too (r(604) if a log is already open)."""
        if self.user is not None:
            raise StataError(604, "log file already open")
        self.user = path.open("a" if append else "w", encoding="utf-8")
        self.user_path = path
        self.user_on = True

    def close_user(self) -> None:
        """``log close`` (r(606) if none is open)."""
        if self.user is None:
            raise StataError(606, "no log file open")
        self.user.close()
        self.user = None
        self.user_path = None

    def _emit(self, text: str) -> None:
        for sink in self.sinks:
            sink.write(text)
        if self.user is not None and self.user_on:
            self.user.write(text)

    # -- writing -------------------------------------------------------------------------------
    @property
    def shown(self) -> bool:
        """Whether command output is currently shown."""
        return not self.quiet and not self.silent

    def out(self, text: str = "", *, newline: bool = True) -> None:
        """Write output ``text`` (one or more lines); nothing under quietly/capture."""
        if not self.shown:
            return
        self._emit(text + ("\n" if newline else ""))
        self._partial = not newline

    def lines(self, rows: list[str]) -> None:
        """Write several output lines."""
        for row in rows:
            self.out(row)

    def echo(self, source: tuple[str, ...] | list[str], *, number: int | None = None) -> None:
        """Echo a command as typed: ``. cmd`` (``  n. cmd`` inside a block), wrapped at 79."""
        if self.silent:
            return
        self._finish()
        first = True
        for raw in source:
            text = raw.rstrip()
            if first:
                prefix = f"{number:3d}. " if number is not None else ". "
                if number is None:
                    self._emit("\n")
            else:
                prefix = "> "
            chunks = [text[i : i + LINESIZE - len(prefix)] for i in
                      range(0, max(len(text), 1), LINESIZE - len(prefix))] or [""]
            self._emit(prefix + chunks[0] + "\n")
            for chunk in chunks[1:]:
                self._emit("> " + chunk + "\n")
            first = False

    def error(self, err: StataError) -> None:
        """Report a failed command: its message, then ``r(code);``."""
        if self.silent:
            return
        self._finish()
        if err.message:
            self._emit(err.message + "\n")
        self._emit(f"r({err.code});\n")

    def _finish(self) -> None:
        if self._partial:
            self._emit("\n")
            self._partial = False

    def end(self, rc: int) -> None:
        """Close the batch log as Stata does: ``end of do-file`` (and ``r(rc);`` on failure)."""
        self._finish()
        self._emit("\nend of do-file\n")
        if rc:
            self._emit(f"r({rc});\n")
        if self.user is not None:
            self.close_user()
