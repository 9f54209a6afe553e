"""The API server with cProfile switched on and off by signals (for ``bench.api_cpu``).

``BENCH_API_PROFILE=<file> python -m bench.profiled_api``: the API as ``python -m
services.api``; SIGUSR1 starts profiling (every thread: the event loop's request handling,
NATS and S3 clients, and the threads it hands work to), SIGUSR2 stops it and writes the
stats to ``<file>``. So a profile covers the jobs the benchmark times, not the start-up's
imports. Times are the process's CPU time (a wait costs nothing); a coroutine counts one
call per resumption. Never used by the product.
"""

from __future__ import annotations

import cProfile
import os
import signal
import time
from types import FrameType

from services.api.__main__ import main as serve


def main() -> None:
    path = os.environ["BENCH_API_PROFILE"]
    # CPU time of the process, not wall time: waits (for NATS, S3, a reader child)
    # would otherwise swamp the figures.
    profile = cProfile.Profile(time.process_time)

    def start(_signum: int, _frame: FrameType | None) -> None:
        profile.enable()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        profile.disable()
        profile.dump_stats(path)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    serve()


if __name__ == "__main__":
    main()
