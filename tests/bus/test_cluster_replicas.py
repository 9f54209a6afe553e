"""Growing from one replica to three on a real 3-node JetStream cluster needs no manual step:
the services start again with ``SS_JS_REPLICAS=3`` and every stream, KV bucket and consumer
they provision moves to three replicas with its data, then survives losing a node."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from nats.js.api import ClusterInfo

from dev.servers import NatsCluster
from libs import names
from libs.bus.auth.permissions import kv_stream
from libs.bus.connection import Bus, connect
from libs.bus.jobindex import JobIndex
from libs.bus.jobstore import JobStore
from libs.bus.provision import ensure_consumer, ensure_dispatch_consumer, ensure_topology
from libs.contracts.jobs import JobRecord, JobSpec, new_job_id, now_iso
from libs.settings import Settings

STREAMS = (names.WORK_STREAM, names.EVENTS_STREAM, names.INDEX_STREAM, names.RATE_STREAM,
           *(kv_stream(b) for b in (names.JOBS_BUCKET, names.API_KEYS_BUCKET,
                                    names.IDEMPOTENCY_BUCKET, names.RETRIES_BUCKET)))
POOL = "embedded"
CONSUMERS = (names.worker_consumer(POOL), names.FORMATTER_CONSUMER, names.DISPATCH_CONSUMER)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsCluster]:
    nats = NatsCluster(root=Path(tmp_path_factory.mktemp("cluster")))
    try:
        nats.start()
        yield nats
    finally:
        nats.stop()


async def _start_services(cluster: NatsCluster, replicas: int) -> None:
    """What api, worker and formatter provision when they start, each as its own user."""
    settings = Settings(nats_url=cluster.url, js_replicas=replicas)
    for role, provision in (
            ("api", lambda bus: _api(bus, settings)),
            ("worker", lambda bus: ensure_consumer(bus, settings, names.worker_consumer(POOL),
                                                   names.run_subject(POOL))),
            ("formatter", lambda bus: ensure_consumer(bus, settings, names.FORMATTER_CONSUMER,
                                                      names.FORMAT_SUBJECT))):
        bus = await connect(cluster.url, name=f"ss-{role}", creds=cluster.creds(role))
        try:
            await provision(bus)
        finally:
            await bus.close()


async def _api(bus: Bus, settings: Settings) -> None:
    await ensure_topology(bus, settings)
    await ensure_dispatch_consumer(bus, settings)


def _settled(cluster: ClusterInfo | None, replicas: int) -> bool:
    """A leader and ``replicas - 1`` current followers."""
    return (cluster is not None and cluster.leader is not None
            and len(cluster.replicas or []) == replicas - 1
            and all(r.current for r in cluster.replicas or []))


async def _replicas(bus: Bus, replicas: int) -> dict[str, bool]:
    """Whether each stream and consumer is configured for ``replicas`` and has them all in
    place (a consumer of the work stream follows the stream: configured 0)."""
    found: dict[str, bool] = {}
    for stream in STREAMS:
        info = await bus.js.stream_info(stream)
        found[stream] = (info.config.num_replicas == replicas
                         and _settled(info.cluster, replicas))
    for consumer in CONSUMERS:
        cinfo = await bus.js.consumer_info(names.WORK_STREAM, consumer)
        found[consumer] = (cinfo.config.num_replicas in (0, replicas)
                           and _settled(cinfo.cluster, replicas))
    return found


async def test_services_move_everything_from_one_to_three_replicas(
        cluster: NatsCluster) -> None:
    await _start_services(cluster, replicas=1)
    admin = await connect(cluster.url, name="ss-test-admin", creds=cluster.creds("admin"))
    try:
        assert all((await _replicas(admin, 1)).values())
        # Data of every kind that must survive the move: a job record, an index entry and a
        # queued run item nobody fetched yet.
        record = JobRecord(id=new_job_id(), tenant="grow", spec=JobSpec(template_id="x"),
                           created_at=now_iso())
        await JobIndex(admin).add(record.tenant, record.id)
        await (await JobStore.open(admin)).create(record)
        await admin.js.publish(names.run_subject(POOL), b"queued-before", stream=names.WORK_STREAM)

        await _start_services(cluster, replicas=3)  # a rolling restart with the new setting

        # JetStream copies each stream to its new peers, then moves the consumers along.
        deadline = time.monotonic() + 120
        while not all((found := await _replicas(admin, 3)).values()):
            assert time.monotonic() < deadline, f"not moved to 3 replicas: {found}"
            await asyncio.sleep(0.5)
    finally:
        await admin.close()

    # One node down: every stream and consumer keeps a quorum, nothing was lost.
    cluster.nodes[0].stop()
    try:
        survivors = ",".join(node.url for node in cluster.nodes[1:])
        bus = await connect(survivors, name="ss-test-survivor", creds=cluster.creds("admin"))
        try:
            jobs = await JobStore.open(bus)
            assert (await _retry(lambda: jobs.get(record.tenant, record.id)))[0] == record
            assert await _retry(lambda: JobIndex(bus).page(record.tenant, None, 10)) == (
                [record.id], None)
            sub = await bus.js.pull_subscribe_bind(names.worker_consumer(POOL),
                                                   stream=names.WORK_STREAM)
            (msg,) = await _retry(lambda: sub.fetch(1, timeout=2))
            assert msg.data == b"queued-before"
            await msg.ack_sync()
        finally:
            await bus.close()
    finally:
        cluster.nodes[0].start()


async def _retry[T](call: object, attempts: int = 40) -> T:
    """``call()`` once the cluster has elected leaders for what lost one with the node."""
    for attempt in range(attempts):
        try:
            return await call()  # type: ignore[operator, no-any-return]
        except Exception:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.5)
    raise AssertionError("unreachable")
