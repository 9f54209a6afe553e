"""Benchmark: GET one job and list jobs under 50 concurrent clients for 20 s each.

Prints requests/s and p50/p99 latency per endpoint, plus a baseline measured in the same run:
the same load against ``/healthz`` (routing, auth-free, no NATS), so the figures for the job
routes read as "what a KV read / a tenant listing adds".

    .venv/bin/python -m bench.api [--clients 50] [--seconds 20] [--jobs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx

from dev.stack import fresh_stack

BODY = {"template_id": "sleepy", "params": {"var": "x", "ms": 0}, "output_formats": ["csv"]}


async def load(url: str, path: str, clients: int, seconds: float) -> tuple[float, list[float]]:
    """``clients`` keep-alive connections, each sending GETs back to back.

    A minimal HTTP/1.1 client on asyncio streams: httpx costs more CPU per request than the
    server under test, and on two cores the load generator would be what gets measured.
    """
    host, port = url.removeprefix("http://").split(":")
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}\r\n"
               "Authorization: Bearer ss-dev-key\r\n\r\n").encode()
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - began)
                assert status == 200, head
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.perf_counter() - began, latencies


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def run(clients: int, seconds: float, jobs: int) -> None:
    # Rate limit off for the benchmark key: this measures the server, not the limiter.
    settings = {"SS_RATE_LIMIT_PER_S": "1000000", "SS_RATE_LIMIT_BURST": "1000000",
                "SS_LOG_LEVEL": "WARNING"}
    with fresh_stack("ss-bench-api-", settings) as stack:
        stack.start_api()
        async with httpx.AsyncClient(base_url=stack.api_url,
                                     headers={"authorization": "Bearer ss-dev-key"}) as http:
            ids = [(await http.post("/v1/jobs", json=BODY)).json()["id"] for _ in range(jobs)]
        print(f"api: {clients} concurrent clients, {seconds:.0f} s per endpoint, "
              f"{jobs} jobs in the tenant (one uvicorn process, 2-core machine)")
        for label, path in (("baseline GET /healthz", "/healthz"),
                            ("GET /v1/jobs/{id}", f"/v1/jobs/{ids[len(ids) // 2]}"),
                            ("GET /v1/jobs?limit=20", "/v1/jobs?limit=20")):
            elapsed, lat = await load(stack.api_url, path, clients, seconds)
            print(f"  {label:<24} {len(lat) / elapsed:8.0f} req/s   p50 {_pct(lat, 0.5):7.1f} ms"
                  f"   p99 {_pct(lat, 0.99):7.1f} ms   ({len(lat)} requests)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--jobs", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.clients, args.seconds, args.jobs))


if __name__ == "__main__":
    main()
