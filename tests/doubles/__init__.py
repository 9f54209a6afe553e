"""Test doubles: stand-ins for outside programs that imitate their documented behaviour."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

FAKE_STATA = Path(__file__).with_name("fake_stata.py")


def install_fake_stata(directory: Path, name: str = "stata-mp") -> Path:
    """Write an executable ``directory/name`` that runs the Stata double; return its path.

    A ``/bin/sh`` launcher that execs the interpreter running the tests: no shebang naming some
    other python, and ``exec`` keeps the launcher's pid so process-group kills are real.
    """
    directory.mkdir(parents=True, exist_ok=True)
    launcher = directory / name
    python, script = shlex.quote(sys.executable), shlex.quote(str(FAKE_STATA))
    launcher.write_text(f'#!/bin/sh\nexec {python} {script} "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    return launcher
