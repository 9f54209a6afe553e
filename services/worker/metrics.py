"""Prometheus metrics of the worker."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

RUNS = Counter("ss_worker_runs_total", "Runs by engine and outcome", ["engine", "status"])
RUN_SECONDS = Histogram(
    "ss_worker_run_seconds", "Engine run time", ["engine"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800),
)
