"""Helpers for engine tests: run do-file text in a fresh session and inspect the result."""

from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from libs.engine.batch import run_source
from libs.engine.log import Log
from libs.engine.session import Session

_BLOCK_ECHO = re.compile(r"^\s*\d+\. (?!\|)")  # "  2. cmd" inside an echoed block


@dataclass
class Run:
    """Outcome of running do-file text."""

    rc: int
    log: str
    session: Session

    def col(self, name: str) -> np.ndarray:
        """A column of the final dataset."""
        return self.session.data.cols[name]

    @property
    def output(self) -> list[str]:
        """Log lines that are not command echoes, blank, or ``set obs`` notes."""
        return [ln for ln in self.log.splitlines() if ln.strip() and not ln.startswith(". ")
                and not ln.startswith("> ") and not _BLOCK_ECHO.match(ln)
                and not ln.startswith("Number of observations (_N) was")]


@pytest.fixture
def stata(tmp_path: Path):  # type: ignore[no-untyped-def]
    """``stata(source) -> Run``: run do-file text with ``tmp_path`` as working directory."""

    def run(source: str) -> Run:
        sink = io.StringIO()
        session = Session(tmp_path, Log(sink))
        rc = run_source(session, textwrap.dedent(source))
        return Run(rc, sink.getvalue(), session)

    return run
