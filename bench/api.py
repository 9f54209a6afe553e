"""Benchmark: GET one job and list jobs under 50 concurrent clients for 20 s each.

Prints requests/s and p50/p99 latency per endpoint, plus a baseline measured in the same run:
the same load against ``/healthz`` (routing, auth-free, no NATS), so the figures for the job
routes read as "what a KV read / a tenant listing adds". The job routes run twice, with the
per-key rate limit off and on (one JetStream publish per request, counted across replicas;
set so high it never refuses): the difference is the limiter's hot-path cost.

    .venv/bin/python -m bench.api [--clients 50] [--seconds 20] [--jobs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
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


#: The rate limit off, and on but never reached.
LIMITS = {"off": {"SS_RATE_LIMIT_PER_S": "0"},
          "on": {"SS_RATE_LIMIT_PER_S": "1000000", "SS_RATE_LIMIT_BURST": "1000000"}}


async def run(clients: int, seconds: float, jobs: int) -> None:
    with fresh_stack("ss-bench-api-", {"SS_LOG_LEVEL": "WARNING", **LIMITS["off"]}) as stack:
        stack.start_api()
        async with httpx.AsyncClient(base_url=stack.api_url,
                                     headers={"authorization": "Bearer ss-dev-key"}) as http:
            ids = [(await http.post("/v1/jobs", json=BODY)).json()["id"] for _ in range(jobs)]
        print(f"api: {clients} concurrent clients, {seconds:.0f} s per endpoint, "
              f"{jobs} jobs in the tenant (one uvicorn process, 2-core machine)")
        rows = [("baseline GET /healthz", "/healthz", "off")]
        for limit in LIMITS:
            rows += [(f"GET /v1/jobs/{{id}}, limit {limit}", f"/v1/jobs/{ids[len(ids) // 2]}",
                      limit),
                     (f"GET /v1/jobs?limit=20, limit {limit}", "/v1/jobs?limit=20", limit)]
        running = "off"
        for label, path, limit in rows:
            if limit != running:  # restart the API with the other rate-limit setting
                stack.kill("api", signal.SIGTERM)
                stack.settings.update(LIMITS[limit])
                stack.start_api()
                running = limit
            elapsed, lat = await load(stack.api_url, path, clients, seconds)
            print(f"  {label:<32} {len(lat) / elapsed:8.0f} req/s   p50 {_pct(lat, 0.5):7.1f}"
                  f" ms   p99 {_pct(lat, 0.99):7.1f} ms   ({len(lat)} requests)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--jobs", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.clients, args.seconds, args.jobs))


if __name__ == "__main__":
    main()
