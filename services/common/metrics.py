"""Metrics every service exposes: job transitions and the work queue as JetStream sees it."""

from __future__ import annotations

import logging

from prometheus_client import Counter, Gauge

from libs import names
from libs.bus.connection import Bus
from libs.contracts.jobs import JobState
from libs.outages import describe

log = logging.getLogger(__name__)

JOB_TRANSITIONS = Counter(
    "ss_job_transitions_total", "Job state changes made by this process, by target state",
    ["state"],
)
QUEUE_PENDING = Gauge(
    "ss_queue_pending", "Work items not yet delivered (queue depth), per consumer", ["consumer"])
QUEUE_IN_FLIGHT = Gauge(
    "ss_queue_ack_pending", "Work items delivered and not yet acknowledged, per consumer",
    ["consumer"])
QUEUE_REDELIVERED = Gauge(
    "ss_queue_redelivered", "Work items delivered more than once and still pending",
    ["consumer"])


def count_transition(before: JobState, after: JobState) -> None:
    """``JobStore`` observer: count every change of state."""
    if before is not after:
        JOB_TRANSITIONS.labels(state=after.value).inc()


async def refresh_queue_metrics(bus: Bus) -> None:
    """Read depth and lag of every work consumer from JetStream (on each scrape)."""
    try:
        consumers = await bus.js.consumers_info(names.WORK_STREAM)
    except Exception as exc:  # metrics must never fail a scrape
        log.warning("cannot read consumer info: %s", describe(exc))
        return
    for info in consumers:
        name = str(info.name)
        QUEUE_PENDING.labels(consumer=name).set(info.num_pending or 0)
        QUEUE_IN_FLIGHT.labels(consumer=name).set(info.num_ack_pending or 0)
        QUEUE_REDELIVERED.labels(consumer=name).set(info.num_redelivered or 0)
