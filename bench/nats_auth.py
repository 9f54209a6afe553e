"""Benchmark: what NATS authentication and permission checks cost per control-plane operation.

Two nats-servers from the same binary, side by side: one with SS's auth (dev/servers.py, the
deployment's setup), logged in as the API's user with its permission lists; one without auth
(the same-run baseline). Each round does, on both and alternately (so machine load hits both
alike), what a job does on NATS: a KV create, a get and a compare-and-set update of a job
record, and an event publish — every subject new, so the server's permission cache never helps.

    .venv/bin/python -m bench.nats_auth [--rounds 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from dev.servers import BIN, NatsServer, free_port, wait_http
from libs import names
from libs.bus.connection import Bus, connect
from libs.bus.provision import ensure_topology
from libs.settings import Settings


def plain_server(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A JetStream server without authentication."""
    port, monitor = free_port(), free_port()
    proc = subprocess.Popen([str(BIN / "nats-server"), "-js", "-a", "127.0.0.1", "-p", str(port),
                             "-m", str(monitor), "-sd", str(root / "js")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{monitor}/healthz?js-enabled-only=true", 20)
    return proc, f"nats://127.0.0.1:{port}"


async def one_job(bus: Bus, n: int) -> float:
    """A job's record and event traffic; seconds it took."""
    kv = await bus.js.key_value(names.JOBS_BUCKET)
    began = time.perf_counter()
    key = names.job_key("bench", f"job{n}")
    revision = await kv.create(key, b"{}")
    await kv.get(key)
    await kv.update(key, b'{"state":"queued"}', last=revision)
    await bus.js.publish(names.event_subject("bench", f"job{n}", "queued"), b"{}")
    return time.perf_counter() - began


async def run(rounds: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="ss-bench-auth-"))
    secured = NatsServer(root=root / "auth")
    secured.start()
    proc, plain_url = plain_server(root)
    try:
        with_auth = await connect(secured.url, name="bench-auth", creds=secured.creds("api"))
        without = await connect(plain_url, name="bench-plain")
        for bus in (with_auth, without):
            await ensure_topology(bus, Settings())
            for n in range(50):  # warm up connections, JIT caches, file store
                await one_job(bus, -n - 1)
        timings: dict[str, list[float]] = {"auth": [], "plain": []}
        for n in range(rounds):
            timings["auth"].append(await one_job(with_auth, n))
            timings["plain"].append(await one_job(without, n))
        await with_auth.close()
        await without.close()
    finally:
        proc.terminate()
        proc.wait(10)
        secured.stop()
    print(f"nats auth: {rounds} jobs' KV create + get + CAS update + event publish, "
          "alternating between the two servers")
    for label, values in (("SS auth (api user)", timings["auth"]),
                          ("no auth (baseline)", timings["plain"])):
        ms = sorted(v * 1000 for v in values)
        print(f"  {label:<22} p50 {statistics.median(ms):6.3f} ms   "
              f"p95 {ms[int(0.95 * len(ms))]:6.3f} ms   mean {statistics.fmean(ms):6.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    asyncio.run(run(parser.parse_args().rounds))


if __name__ == "__main__":
    main()
