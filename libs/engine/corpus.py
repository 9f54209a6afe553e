"""Trying do-files on the engine, one scratch directory each: did each run to the end, and if
not, which command stopped it with which ``r()`` code (``python -m libs.engine check``).

A do-file is copied into a fresh temporary directory (with any data files beside it that it
may read) so runs never see each other's outputs; the scratch directory is removed after.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from libs.engine.batch import run_do_file_session


@dataclass(frozen=True)
class Outcome:
    """How one do-file ended: ``rc`` 0 when it ran to the end."""

    name: str
    rc: int
    lineno: int | None = None  #: line of the command that failed
    command: str = ""  #: that command, as the lexer joined it
    message: str = ""  #: the error message the log shows above ``r(rc);``

    @property
    def passed(self) -> bool:
        """Whether the do-file ran to the end."""
        return self.rc == 0

    def describe(self) -> str:
        """``ok`` or ``r(199) at line 12: esttab m1 m2 ...`` (one line)."""
        if self.passed:
            return "ok"
        where = f" at line {self.lineno}" if self.lineno is not None else ""
        command = " ".join(self.command.split())
        if len(command) > 70:
            command = command[:67] + "..."
        first = self.message.splitlines()[0] if self.message else ""
        return f"r({self.rc}){where}: {command}" + (f"  [{first}]" if first else "")


def try_do_file(do_path: Path) -> Outcome:
    """Run ``do_path`` in a scratch copy of its folder's data files; how it ended."""
    with tempfile.TemporaryDirectory(prefix="ss-dofile-") as scratch:
        workdir = Path(scratch)
        for data in do_path.parent.glob("*.dta"):
            shutil.copy(data, workdir / data.name)
        target = workdir / do_path.name
        shutil.copy(do_path, target)
        session = run_do_file_session(target, workdir)
    failure = session.failure
    if failure is None:
        return Outcome(do_path.name, session.rc)
    return Outcome(do_path.name, session.rc, failure.lineno, failure.command, failure.message)


def report(outcomes: list[Outcome]) -> str:
    """One line per do-file and the count that ran to the end."""
    width = max((len(o.name) for o in outcomes), default=0) + 2
    lines = [f"{o.name:<{width}}{o.describe()}" for o in outcomes]
    passed = sum(o.passed for o in outcomes)
    lines.append(f"{passed} of {len(outcomes)} do-files ran to the end")
    return "\n".join(lines)
