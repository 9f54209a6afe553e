"""HTTP metrics of the API."""

from __future__ import annotations

from prometheus_client import Histogram

REQUEST_SECONDS = Histogram(
    "ss_api_request_seconds", "API requests by route template, method and status",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60),
)
