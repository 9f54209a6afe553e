"""Example subscriber: hear a tenant's finished jobs on NATS and fetch their outputs through
the API.

    python -m examples.completed_subscriber --out ./outputs --creds tenant.creds
        [--nats URL] [--api-url URL] [--api-key KEY] [--from-seq N | --since ISO-TIME]

``--creds`` is the tenant's event credential (``POST /v1/admin/event-credentials``; default
``$SS_NATS_CREDS``). It binds (creating it on first start) a durable pull consumer on
``SS_EVENTS`` filtered to ``ss.events.<tenant>.*.completed`` with explicit acks, named after the
credential's user: the one consumer that credential may use. (With the operator's credential
it hears every tenant, under ``--durable NAME``.) A message is acked only once its job's
outputs are on disk, so if the subscriber dies mid-download the event is delivered again,
and while it is stopped the durable consumer keeps its place: on restart it carries on from
the first unacked event. Downloads overwrite by name, so a redelivery is harmless.
See docs/events.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
from datetime import UTC, datetime
from pathlib import Path

from nats.js import api
from nats.js.errors import FetchTimeoutError

from client import AsyncSSClient, SSClientError
from client.nats_tail import event_scope
from libs.bus.connection import connect
from libs.contracts.events import JobCompleted, decode_event
from libs.contracts.jobs import JobState
from libs.names import EVENTS_STREAM

#: Seconds a delivered event may stay unacked before JetStream delivers it again.
ACK_WAIT_S = 120.0
#: Deliveries of one event before it is given up (the consumer then moves past it).
MAX_DELIVER = 10


def consumer_config(durable: str, subject: str, from_seq: int | None,
                    since: datetime | None) -> api.ConsumerConfig:
    """Where a new durable consumer starts: new events only, a stream sequence, or a time.
    (An existing durable keeps its own position; this only matters the first time.)"""
    policy, start_seq, start_time = api.DeliverPolicy.NEW, None, None
    if from_seq is not None:
        policy, start_seq = api.DeliverPolicy.BY_START_SEQUENCE, from_seq
    elif since is not None:
        policy, start_time = api.DeliverPolicy.BY_START_TIME, since
    # Named as well as durable: created through the API subject that carries the name and the
    # filter, the only way a tenant's credential may create one.
    return api.ConsumerConfig(
        name=durable, durable_name=durable, filter_subject=subject,
        ack_policy=api.AckPolicy.EXPLICIT, ack_wait=ACK_WAIT_S, max_deliver=MAX_DELIVER,
        deliver_policy=policy, opt_start_seq=start_seq, opt_start_time=start_time)


async def handle(ss: AsyncSSClient, event: JobCompleted, out: Path) -> list[Path]:
    """Download the outputs of a succeeded job into ``out/<job_id>/``."""
    if event.status is not JobState.SUCCEEDED:
        return []
    job = await ss.job(event.job_id)
    # The job may have been retried since this event; its outputs are then the new run's.
    return [await ss.download(job.id, a.name, out / job.id)
            for a in job.artifacts if a.kind == "output"]


async def subscribe(args: argparse.Namespace, stop: asyncio.Event) -> None:
    scope = event_scope(args.creds)
    durable = scope.consumer or args.durable
    subject = scope.filter(completed_only=True)
    bus = await connect(args.nats, name="ss-example-subscriber", creds=args.creds)
    sub = await bus.js.pull_subscribe(
        subject, durable=durable, stream=EVENTS_STREAM,
        config=consumer_config(durable, subject, args.from_seq, args.since))
    print(f"subscribed as {durable!r} to {subject}", flush=True)
    async with AsyncSSClient(args.api_url, args.api_key) as ss:
        while not stop.is_set():
            try:
                messages = await sub.fetch(batch=10, timeout=1.0)
            except (FetchTimeoutError, TimeoutError):
                continue
            for msg in messages:
                event = decode_event(msg.data)
                if not isinstance(event, JobCompleted):  # the filter makes this impossible
                    await msg.term()
                    continue
                try:
                    files = await handle(ss, event, args.out)
                except SSClientError as exc:
                    # Leave it for a later delivery (API down, S3 hiccup): nak with a delay.
                    print(f"completed {event.job_id} {event.status.value}: fetch failed "
                          f"({exc.error_code}), will retry", flush=True)
                    await msg.nak(delay=5.0)
                    continue
                await msg.ack()
                seq = msg.metadata.sequence.stream
                print(f"completed {event.job_id} {event.status.value} seq={seq} "
                      f"files={len(files)}", flush=True)
    # Unacked messages go back to the consumer when their ack wait ends; nothing to drain.
    with contextlib.suppress(Exception):
        await sub.unsubscribe()
    await bus.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the outputs")
    parser.add_argument("--creds", default=os.environ.get("SS_NATS_CREDS", ""),
                        help="NATS credentials: the tenant's event credential")
    parser.add_argument("--durable", default="example-completed",
                        help="durable consumer name, with the operator's credential only (a "
                             "tenant's credential names its own)")
    parser.add_argument("--nats", default=os.environ.get("SS_NATS_URL", "nats://127.0.0.1:4222"))
    parser.add_argument("--api-url", help="default: $SS_API_URL")
    parser.add_argument("--api-key", help="default: $SS_API_KEY")
    start = parser.add_mutually_exclusive_group()
    start.add_argument("--from-seq", type=int, help="new consumer: start at this stream seq")
    start.add_argument("--since", type=datetime.fromisoformat,
                       help="new consumer: start at events published after this time")
    args = parser.parse_args()
    if args.since is not None and args.since.tzinfo is None:
        args.since = args.since.replace(tzinfo=UTC)  # a time without zone means UTC

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await subscribe(args, stop)

    asyncio.run(run())


if __name__ == "__main__":
    main()
