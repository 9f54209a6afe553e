"""Benchmark: a 1 GiB input upload streamed through the API, against a direct S3 upload.

Prints the API process's RSS growth during the upload (target < 100 MB) and its throughput
as a ratio to a direct aioboto3 multipart upload of the same bytes to the same S3 server in
the same run (target >= 0.7).

    .venv/bin/python -m bench.upload [--mib 1024]
"""

from __future__ import annotations

import argparse
import asyncio
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from dev.stack import fresh_stack
from libs.settings import Settings
from libs.storage import ObjectStore

CHUNK = 1024 * 1024


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _csv_block() -> bytes:
    """1 MiB of CSV rows (the API reads what it stores: random bytes would be refused)."""
    rows = b"".join(b"%d,%d.%03d,%d\n" % (i, i % 977, i % 1000, (i * 7919) % 100003)
                    for i in range(60_000))
    return (rows * (CHUNK // len(rows) + 1))[:CHUNK]


async def payload(mib: int) -> AsyncIterator[bytes]:
    yield b"id,x,y\n" + _csv_block()[7:]
    block = _csv_block()
    for _ in range(mib - 1):
        yield block


async def run(mib: int) -> None:
    with fresh_stack("ss-bench-upload-", {"SS_UPLOAD_MAX_BYTES": str(4 * 1024**3),
                                          "SS_LOG_LEVEL": "WARNING"}) as stack:
        s3 = stack.s3
        settings = Settings(s3_endpoint=s3.endpoint, s3_access_key=s3.access_key,
                            s3_secret_key=s3.secret_key)
        store = await ObjectStore.open(settings)
        began = time.perf_counter()
        await store.put_stream("bench/direct.bin", payload(mib))
        direct_s = time.perf_counter() - began
        await store.close()

        stack.start_api()
        api_pid = stack.procs["api"].pid
        before = rss_mb(api_pid)
        peak = [before]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], rss_mb(api_pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        async with httpx.AsyncClient(base_url=stack.api_url, timeout=600,
                                     headers={"authorization": "Bearer ss-dev-key"}) as http:
            job = (await http.post("/v1/jobs", json={"template_id": "sleepy",
                                                     "params": {"var": "x", "ms": 0}})).json()
            began = time.perf_counter()
            response = await http.put(f"/v1/jobs/{job['id']}/inputs/big.csv",
                                      content=payload(mib))
            api_s = time.perf_counter() - began
        stop.set()
        sampler.join()
        assert response.status_code == 201, response.text
        assert response.json()["size"] == mib * CHUNK
    print(f"upload of {mib} MiB")
    print(f"  direct aioboto3 multipart: {direct_s:6.2f} s  {mib / direct_s:7.1f} MiB/s")
    print(f"  through the API:           {api_s:6.2f} s  {mib / api_s:7.1f} MiB/s")
    print(f"  throughput ratio API/direct: {direct_s / api_s:.2f}   (target >= 0.7)")
    print(f"  API RSS: {before:.0f} MB before, {peak[0]:.0f} MB peak, "
          f"growth {peak[0] - before:.0f} MB   (target < 100 MB)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=1024)
    asyncio.run(run(parser.parse_args().mib))


if __name__ == "__main__":
    main()
