"""Stata errors: every failure of a command is a :class:`StataError` carrying Stata's own code.

The interpreter catches it at the command boundary: under ``capture`` the code goes to ``_rc``;
otherwise the message and ``r(NNN);`` go to the log and the run stops.

Codes follow Stata's: 9 assertion is false, 100/101/102/103 varlist required/not allowed/too
few/too many, 109 type mismatch, 110 already defined, 111 not found, 133 unknown function,
190 not byable, 198 invalid syntax, 199 unrecognized command, 459 data inconsistent, 601/602/603
file not found/exists/cannot be opened, 604/606 log open/not open, 621/622 preserve/restore,
2000 no observations, 4 data changed since last saved.

Tree::

    StataError(code, message)      any command failure, code as Stata numbers it
      UnrecognizedCommand(name)    r(199) for a command the engine does not know
    ExitRequest(code)              ``exit [n]`` unwinding the do-file (not an error by itself)
    LoopControl                    ``continue`` / ``continue, break`` inside loops
"""

from __future__ import annotations

from libs.contracts.errors import SSBaseError

#: Not a Stata code: a bug or gap inside the engine surfaced as a command failure.
INTERNAL = 9999
#: Stata's "op. sys. refuses to provide memory": the run's memory limit was reached.
NO_MEMORY = 909


class StataError(SSBaseError):
    """A command failed; ``code`` is the Stata return code shown as ``r(code);``.

    ``lineno`` and ``command`` say where: the interpreter fills them in with the innermost
    do-file line that was running when the error arose (None/"" until then).
    """

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.lineno: int | None = None
        self.command = ""

    def locate(self, lineno: int, command: str) -> None:
        """Record the do-file line (and its command text) the error arose on."""
        self.lineno, self.command = lineno, command


class UnrecognizedCommand(StataError):
    """r(199): ``name`` is not a command the engine knows; the message names the line."""

    def __init__(self, name: str) -> None:
        super().__init__(199, f"command {name} is unrecognized")
        self.name = name

    def locate(self, lineno: int, command: str) -> None:
        """As Stata's message, plus where: ``command foo is unrecognized (line 12)``."""
        super().locate(lineno, command)
        self.message = (f"command {self.name} is unrecognized (line {lineno})\n(the embedded "
                        "engine does not implement it; this do-file needs real Stata: set "
                        "SS_STATA_CMD)")


class ExitRequest(Exception):
    """``exit [n]``: stop the current do-file (or program) returning ``code``."""

    def __init__(self, code: int = 0, *, clear: bool = False) -> None:
        super().__init__(code)
        self.code = code
        self.clear = clear


class LoopControl(Exception):
    """``continue`` (``brk=False``) or ``continue, break`` (``brk=True``) inside a loop."""

    def __init__(self, *, brk: bool) -> None:
        super().__init__("break" if brk else "continue")
        self.brk = brk


def internal_error(exc: BaseException) -> StataError:
    """Wrap an unexpected Python exception so the run fails like a Stata command does; running
    out of memory is Stata's r(909), as Stata reports it."""
    if isinstance(exc, MemoryError):
        return StataError(NO_MEMORY, "op. sys. refuses to provide memory")
    return StataError(INTERNAL, f"embedded engine internal error: {type(exc).__name__}: {exc}\n"
                                "(this template may need real Stata: set SS_STATA_CMD)")
