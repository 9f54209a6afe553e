"""Code that runs inside the fork server and its children.

Importing this module (the fork server's preload) imports the whole numeric stack once.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
from pathlib import Path

import numpy  # noqa: F401  (preloaded for the children)
import pandas  # noqa: F401
import statsmodels.api  # noqa: F401

import libs.engine.batch as engine_batch

RC_FILE = "ss_rc.json"

# Every command module (and what it imports) is loaded once, in the fork server.
engine_batch.preload()


def _die_with_parent() -> None:
    # If the worker is SIGKILLed its fork server exits; without this the engine child (in its
    # own session) would run on as an orphan. Linux-only; elsewhere the lease still decides.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def child_main(workdir: str, do_file: str, log_file: str) -> None:
    """Entry of one run: its own session (so the group can be killed), then the engine."""
    if not workdir:
        return  # warm-up spawn: nothing to run
    os.setsid()
    _die_with_parent()
    os.chdir(workdir)
    # Keep stray prints of numeric libraries out of the worker's output.
    with open(os.devnull, "w") as devnull:
        sys.stdout = devnull
        sys.stderr = devnull
        rc = engine_batch.run_do_file(Path(do_file), Path(workdir), Path(log_file))
    Path(RC_FILE).write_text(json.dumps({"rc": int(rc)}))
