"""Run an SS service under observation, for benchmarks only: ``BENCH_TARGET=services.worker
python -m bench.profiled``.

Counts the process's requests to S3 (every aiohttp request: the signed single-object calls
and aiobotocore's) by method, and its NATS publishes (requests included: a JetStream publish,
a KV read or write, an ack) by what they are for. Each SIGUSR1 marks a point of the run: it
writes the counts so far to ``<BENCH_OUT>/<name>.counts.<n>.json`` (``name`` is
``BENCH_NAME``, ``n`` counts the marks from 1), so a benchmark takes the difference over the
jobs it timed. With ``BENCH_PROFILE=1`` the first mark also starts a sampling profiler of
the main thread (the event loop; ``Sampler``) and the second stops it and writes
``<name>.profile.txt``. Nothing here is on the product path: the services never import it.
"""

from __future__ import annotations

import collections
import json
import os
import runpy
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
from nats.aio.client import Client

COUNTS: collections.Counter[str] = collections.Counter()


def nats_kind(subject: str, reply: str) -> str:
    """What a NATS publish is for, from its subject (tokens that name a job are dropped)."""
    if subject.startswith("$JS.API."):
        parts = subject.split(".")
        return "js-api " + " ".join(parts[2:4])
    if subject.startswith("$JS.ACK."):
        return "ack"
    if subject.startswith("$KV."):
        return "kv-put " + subject.split(".")[1]
    if subject.startswith("ss.events."):
        return "event " + subject.rsplit(".", 1)[1]
    if subject.startswith("ss.presence."):
        return "heartbeat"
    return ("request " if reply else "publish ") + ".".join(subject.split(".")[:2])


def _install_counters() -> None:
    request = aiohttp.ClientSession._request
    publish = Client.publish

    async def counted_request(self: aiohttp.ClientSession, method: str, url: Any,
                              *args: Any, **kwargs: Any) -> Any:
        COUNTS[f"s3 {method.upper()}"] += 1
        return await request(self, method, url, *args, **kwargs)

    async def counted_publish(self: Client, subject: str, payload: bytes = b"",
                              reply: str = "", headers: dict[str, str] | None = None) -> None:
        COUNTS[f"nats {nats_kind(subject, reply)}"] += 1
        await publish(self, subject, payload, reply, headers)

    aiohttp.ClientSession._request = counted_request  # type: ignore[method-assign,assignment]
    Client.publish = counted_publish  # type: ignore[method-assign]


class Sampler:
    """Where the main thread (the event loop) spends CPU: every ``period`` seconds a thread
    reads the main thread's scheduler state and, when it is running (``R``), its Python
    stack. Each function's share of those samples, as the innermost frame (self) and
    anywhere on the stack (total), is what that code costs in CPU, system calls included;
    idle waits in the event loop are never sampled."""

    def __init__(self, period: float = 0.0005) -> None:
        self.period = period
        self.self_counts: collections.Counter[str] = collections.Counter()
        self.total_counts: collections.Counter[str] = collections.Counter()
        self.samples = 0
        self._running = False
        self._main = threading.main_thread()

    def start(self) -> None:
        # The sampler needs the GIL to read a stack: the main thread must offer it often
        # (default every 5 ms), or only its system calls, which release it, are sampled.
        sys.setswitchinterval(self.period / 5)
        self._running = True
        threading.Thread(target=self._run, daemon=True, name="bench-sampler").start()

    def stop(self) -> None:
        self._running = False

    def _run(self) -> None:
        state_file = f"/proc/self/task/{self._main.native_id}/stat"
        ident = self._main.ident
        while self._running:
            time.sleep(self.period)
            with open(state_file) as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] != "R":
                    continue
            frame = sys._current_frames().get(ident or 0)
            names = []
            while frame is not None:
                code = frame.f_code
                names.append(f"{code.co_qualname} ({code.co_filename.rsplit('/', 2)[-1]}:"
                             f"{code.co_firstlineno})")
                frame = frame.f_back
            if len(names) <= 3:  # only the service's entry frames: C code of the event loop
                names.insert(0, "<event loop, C>")
            self.samples += 1
            self.self_counts[names[0]] += 1
            for name in set(names):
                self.total_counts[name] += 1

    def report(self, top: int = 45) -> str:
        lines = [f"{self.samples} samples of the running main thread"]
        for title, counts in (("self", self.self_counts), ("total", self.total_counts)):
            lines.append(f"-- by {title}")
            lines += [f"{n / max(self.samples, 1) * 100:6.1f}%  {name}"
                      for name, n in counts.most_common(top)]
        return "\n".join(lines)


def main() -> None:
    target = os.environ["BENCH_TARGET"]
    out = Path(os.environ["BENCH_OUT"])
    name = os.environ.get("BENCH_NAME", target)
    _install_counters()
    sampler = Sampler() if os.environ.get("BENCH_PROFILE") == "1" else None
    marks = 0

    def mark(signum: int, frame: object) -> None:
        nonlocal marks
        marks += 1
        (out / f"{name}.counts.{marks}.json").write_text(json.dumps(dict(COUNTS)))
        if sampler is not None and marks == 1:
            sampler.start()
        elif sampler is not None and marks == 2:
            sampler.stop()
            (out / f"{name}.profile.txt").write_text(sampler.report())

    signal.signal(signal.SIGUSR1, mark)
    sys.argv = [target]
    runpy.run_module(target, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
