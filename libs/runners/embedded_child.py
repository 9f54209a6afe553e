"""Code that runs inside the fork server and its children.

Importing this module (the fork server's preload) imports the whole numeric stack once.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy  # noqa: F401  (preloaded for the children)
import pandas  # noqa: F401
import statsmodels.api  # noqa: F401

import libs.engine.runner as engine_runner

RC_FILE = "ss_rc.json"


def child_main(workdir: str, do_file: str, log_file: str) -> None:
    """Entry of one run: its own session (so the group can be killed), then the engine."""
    if not workdir:
        return  # warm-up spawn: nothing to run
    os.setsid()
    os.chdir(workdir)
    # Keep stray prints of numeric libraries out of the worker's output.
    with open(os.devnull, "w") as devnull:
        sys.stdout = devnull
        sys.stderr = devnull
        rc = engine_runner.run_do_file(Path(do_file), Path(workdir), Path(log_file))
    Path(RC_FILE).write_text(json.dumps({"rc": int(rc)}))
