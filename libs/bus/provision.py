"""Idempotent creation of every stream, consumer and KV bucket SS uses.

The API provisions the streams and buckets (``ensure_topology``); a worker or formatter may
not create or change them (libs/bus/auth/permissions.py), so it waits for them
(``await_topology``) and creates only its own consumer.

``SS_JS_REPLICAS`` is reconciled, not only applied at creation: a start with another value
moves every existing stream, KV bucket and consumer to it (JetStream copies the data to the new
peers while it keeps serving), so growing from one NATS node to three needs no manual step.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

from nats.js import api
from nats.js.errors import BadRequestError, NotFoundError

from libs import names
from libs.bus import ratelimit
from libs.bus.auth.permissions import kv_stream
from libs.bus.connection import Bus
from libs.settings import Settings

log = logging.getLogger(__name__)


async def _ensure_stream(bus: Bus, config: api.StreamConfig) -> None:
    try:
        await bus.js.stream_info(str(config.name))
    except NotFoundError:
        await bus.js.add_stream(config)
        return
    await bus.js.update_stream(config)


def _file_stream(settings: Settings, name: str, subjects: str,
                 retention: api.RetentionPolicy, **options: Any) -> api.StreamConfig:
    """A file-stored stream of ``SS_JS_REPLICAS`` replicas."""
    return api.StreamConfig(name=name, subjects=[subjects], retention=retention,
                            storage=api.StorageType.FILE, num_replicas=settings.js_replicas,
                            **options)


async def ensure_work_stream(bus: Bus, settings: Settings) -> None:
    await _ensure_stream(bus, _file_stream(
        settings, names.WORK_STREAM, names.WORK_SUBJECTS, api.RetentionPolicy.WORK_QUEUE,
        duplicate_window=120.0))


async def ensure_events_stream(bus: Bus, settings: Settings) -> None:
    await _ensure_stream(bus, _file_stream(
        settings, names.EVENTS_STREAM, names.EVENTS_SUBJECTS, api.RetentionPolicy.LIMITS,
        max_age=settings.events_max_age_s, duplicate_window=120.0))


async def ensure_index_stream(bus: Bus, settings: Settings) -> None:
    """The tenants' job index (libs/bus/jobindex.py): kept as long as the jobs (one message per
    block of 128), read by direct gets from any replica. A block is rewritten with each new id;
    only its newest version is kept (rollups)."""
    await _ensure_stream(bus, _file_stream(
        settings, names.INDEX_STREAM, names.INDEX_SUBJECTS, api.RetentionPolicy.LIMITS,
        allow_direct=True, allow_rollup_hdrs=True))


async def ensure_rate_stream(bus: Bus, settings: Settings) -> None:
    """The per-key request log of the rate limit (none when the limit is off)."""
    if settings.rate_limit_per_s > 0:
        await _ensure_stream(bus, ratelimit.stream_config(
            settings.rate_limit_per_s, settings.rate_limit_burst, settings.js_replicas))


async def _ensure_bucket_replicas(bus: Bus, config: api.KeyValueConfig) -> None:
    """Move an existing bucket to ``config.replicas`` (its other settings stay as they are)."""
    stream = kv_stream(config.bucket)
    current = (await bus.js.stream_info(stream)).config
    if current.num_replicas != config.replicas:
        log.warning("bucket %s: %s -> %s replicas", config.bucket, current.num_replicas,
                    config.replicas)
        await bus.js.update_stream(dataclasses.replace(current, num_replicas=config.replicas))


async def ensure_buckets(bus: Bus, settings: Settings) -> None:
    for config in (
        api.KeyValueConfig(
            bucket=names.JOBS_BUCKET,
            history=5,
            storage=api.StorageType.FILE,
            replicas=settings.js_replicas,
        ),
        api.KeyValueConfig(
            bucket=names.API_KEYS_BUCKET,
            history=5,
            storage=api.StorageType.FILE,
            replicas=settings.js_replicas,
        ),
        api.KeyValueConfig(
            # An entry lives while its item is retried: at most about the outage budget
            # (entries are deleted when the item is acked; the TTL sweeps the ones that were not).
            bucket=names.RETRIES_BUCKET,
            history=1,
            ttl=max(24 * 3600.0, 4 * settings.infra_retry_budget_s),
            storage=api.StorageType.FILE,
            replicas=settings.js_replicas,
        ),
        api.KeyValueConfig(
            bucket=names.IDEMPOTENCY_BUCKET,
            history=1,
            ttl=settings.idempotency_ttl_s,
            storage=api.StorageType.FILE,
            replicas=settings.js_replicas,
        ),
    ):
        try:
            await bus.js.key_value(config.bucket)
        except (NotFoundError, BadRequestError):
            await bus.js.create_key_value(config)
            continue
        await _ensure_bucket_replicas(bus, config)


async def ensure_consumer(bus: Bus, settings: Settings, durable: str, filter_subject: str,
                          *, in_flight: int | None = None) -> None:
    """Create or update a durable pull consumer on the work stream.

    ``max_deliver`` is unlimited: JetStream counts hand-backs during an outage as deliveries,
    so the consumer loop decides when an item has failed too often (``libs.bus.retries``) and
    dead-letters it itself; a job whose worker keeps dying still ends ``failed`` instead of
    vanishing silently. ``in_flight`` caps the unacked items across replicas (default
    ``SS_MAX_ACK_PENDING``).
    """
    config = api.ConsumerConfig(
        # Named as well as durable: created through the API subject that carries the name and
        # the filter, which is what a service's permissions allow.
        name=durable,
        durable_name=durable,
        filter_subject=filter_subject,
        ack_policy=api.AckPolicy.EXPLICIT,
        ack_wait=settings.ack_wait_s,
        max_deliver=-1,
        max_ack_pending=settings.max_ack_pending if in_flight is None else in_flight,
        replay_policy=api.ReplayPolicy.INSTANT,
        deliver_policy=api.DeliverPolicy.ALL,
        # As many as the work stream: JetStream requires it of a work-queue stream's consumers
        # and moves them along when the stream's replicas change (SS_JS_REPLICAS).
        num_replicas=0,
    )
    try:
        await bus.js.add_consumer(names.WORK_STREAM, config)
    except BadRequestError as exc:
        # Another replica created it with other settings (a rolling config change): keep
        # serving with the existing consumer rather than refusing to start.
        log.warning("consumer %s exists with another config, using it: %s", durable, exc)


#: Deliveries of one hand-over check that may end with no answer (the API died holding it).
DISPATCH_BUDGET = 50
#: Checks one dispatcher may hold at once (each waits out a short grace period).
DISPATCH_IN_FLIGHT = 4096


async def ensure_dispatch_consumer(bus: Bus, settings: Settings) -> None:
    """The durable consumer of hand-over checks the API replicas share."""
    await ensure_consumer(bus, settings, names.DISPATCH_CONSUMER, names.DISPATCH_SUBJECT,
                          in_flight=DISPATCH_IN_FLIGHT)


async def ensure_topology(bus: Bus, settings: Settings) -> None:
    """Streams and buckets every service relies on (consumers are made by their owners)."""
    await ensure_work_stream(bus, settings)
    await ensure_events_stream(bus, settings)
    await ensure_index_stream(bus, settings)
    await ensure_rate_stream(bus, settings)
    await ensure_buckets(bus, settings)


async def await_topology(bus: Bus, *, log_every_s: float = 10.0) -> None:
    """Return once the streams and the jobs bucket exist (the API creates them)."""
    waited = 0.0
    while True:
        missing = []
        for stream in (names.WORK_STREAM, names.EVENTS_STREAM, kv_stream(names.JOBS_BUCKET)):
            try:
                await bus.js.stream_info(stream)
            except NotFoundError:
                missing.append(stream)
        if not missing:
            return
        if waited % log_every_s == 0:
            log.warning("waiting for %s: the API creates them", ", ".join(missing))
        await asyncio.sleep(0.5)
        waited += 0.5
