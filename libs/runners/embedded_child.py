"""Code that runs inside the fork server and its children.

Importing this module (the fork server's preload) imports the whole numeric stack once;
``ready_to_fork`` (the preload's last step, ``libs.runners.forkserver_ready``) warms the
engine up and freezes the heap, so each child starts as cheaply as it can.
"""

from __future__ import annotations

import ctypes
import gc
import json
import logging
import os
import resource
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy  # noqa: F401  (preloaded for the children)
import pandas  # noqa: F401
import statsmodels.api  # noqa: F401

import libs.engine.batch as engine_batch
from libs.runners.base import RunLimits
from libs.runners.process import address_space, rlimits

RC_FILE = "ss_rc.json"

log = logging.getLogger(__name__)

# Every command module (and what it imports) is loaded once, in the fork server.
engine_batch.preload()

#: A small job of the commands most templates run (make, save and read a dataset, describe
#: it, estimate, store the results): its first run fills what the engine and its libraries
#: compute once per process and cache (compiled patterns, numpy's dispatch tables, ...).
WARM_UP_DO = """set obs 40
generate double x = _n
generate double g = mod(_n, 4)
generate double y = 3 + 2*x + g + mod(_n*7, 5)
label variable y "outcome"
save "inputs/warm.dta", replace
use "inputs/warm.dta", clear
summarize y x
regress y x g, vce(robust)
ss_store_model warm, title("warm-up") level(95)
"""


def warm_up(folder: Path) -> int:
    """Run ``WARM_UP_DO`` in ``folder`` (a workspace of its own); its return code."""
    (folder / "inputs").mkdir()
    (folder / "results").mkdir()
    (folder / "main.do").write_text(WARM_UP_DO)
    return engine_batch.run_do_file(folder / "main.do", folder, folder / "main.log")


def ready_to_fork() -> None:
    """Make the fork server cheap to fork from, after every preloaded import.

    A child that starts cold pays ~2 ms of CPU for first-use caches; the warm-up pays it
    once here. ``gc.freeze()`` then moves every object so far (~200k) to the permanent
    generation: no child's garbage collection walks them, and walking them would copy each
    page they sit on into the child (a full collection in a child cost ~150 ms of CPU).
    The warm-up is an optimisation only: if it fails the server forks as it would without.
    """
    try:
        with tempfile.TemporaryDirectory(prefix="ss-warm-up-") as folder:
            rc = warm_up(Path(folder))
        if rc:
            log.warning("the engine's warm-up run stopped with r(%d)", rc)
    except Exception:
        log.warning("the engine's warm-up run failed", exc_info=True)
    gc.freeze()


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
