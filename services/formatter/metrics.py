"""Prometheus metrics of the formatter."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

RENDERS = Counter("ss_formatter_renders_total", "Rendered formats by outcome",
                  ["format", "status"])
FORMAT_SECONDS = Histogram(
    "ss_formatter_seconds", "Time to render and store every requested format of a job",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
RENDERERS_REPLACED = Counter(
    "ss_formatter_renderers_replaced_total",
    "Renderer processes ended and replaced, by reason: failed (crashed, killed or cancelled "
    "mid-render), jobs (served RECYCLE_AFTER_JOBS), memory (resident memory after a job over "
    "the bound)", ["reason"])
