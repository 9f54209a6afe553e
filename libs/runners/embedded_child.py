"""Code that runs inside the fork server and its children.

Importing this module (the fork server's preload) imports the whole numeric stack once.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy  # noqa: F401  (preloaded for the children)
import pandas  # noqa: F401
import statsmodels.api  # noqa: F401

import libs.engine.batch as engine_batch
from libs.runners.base import RunLimits
from libs.runners.process import address_space, rlimits

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


def _limit(limits: RunLimits) -> None:
    """Hold this process to ``limits``: what it may add to the address space it has now, CPU
    time, and the size of any file it writes — past which the kernel kills it with SIGXFSZ,
    as it would kill Stata (Python ignores SIGXFSZ unless told otherwise)."""
    for kind, value in rlimits(limits, address_space()).items():
        resource.setrlimit(kind, value)
    if limits.output_bytes:
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)


def child_main(workdir: str, do_file: str, log_file: str, limits: RunLimits | None = None,
               epilogue: Sequence[str] = ()) -> None:
    """Entry of one run: its own session (so the group can be killed), its limits, then the
    engine."""
    if not workdir:
        return  # warm-up spawn: nothing to run
    os.setsid()
    _die_with_parent()
    os.chdir(workdir)
    if limits is not None:
        _limit(limits)
    # Keep stray prints of numeric libraries out of the worker's output.
    with open(os.devnull, "w") as devnull:
        sys.stdout = devnull
        sys.stderr = devnull
        rc = engine_batch.run_do_file(Path(do_file), Path(workdir), Path(log_file),
                                      epilogue=epilogue)
    Path(RC_FILE).write_text(json.dumps({"rc": int(rc)}))
