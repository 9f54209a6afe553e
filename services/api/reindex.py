"""``python -m services.api.reindex``: index the jobs the tenant job index lacks.

``GET /v1/jobs`` lists what ``SS_INDEX`` holds (libs/bus/jobindex.py). A job stored by a
release without the index, or by an API replica of that release while a rollout replaces it,
has a record in ``ss_jobs`` and no index entry, so listing does not show it. This one-shot reads
every job key of the bucket once (keys only), then each tenant's index, and appends the ids
the index lacks, oldest first: in the ids' order (creation time to the millisecond), the one
listing used before the index. It runs beside serving API replicas: a job created meanwhile is
indexed before its record exists, so the index read after the keys already has it. Running it
again adds nothing.

It holds every job id in memory for the length of the run (about 100 bytes each), which is
why it is a one-shot and not part of the API.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass

from libs import names
from libs.bus.connection import Bus, connect
from libs.bus.jobindex import JobIndex
from libs.bus.records import RecordBucket
from services.common.lifecycle import configured

log = logging.getLogger(__name__)

#: Tenants appended at once.
TENANTS_AT_ONCE = 16


@dataclass(frozen=True, slots=True)
class Reindexed:
    """What one run found and did."""

    tenants: int
    jobs: int
    added: int


async def stored_job_ids(bus: Bus) -> dict[str, list[str]]:
    """Every job id in ``ss_jobs``, per tenant, oldest first."""
    ids: dict[str, list[str]] = defaultdict(list)
    for key in await (await RecordBucket.open(bus, names.JOBS_BUCKET)).keys():
        tenant, _, job_id = key.partition(".")
        ids[tenant].append(job_id)
    return {tenant: sorted(found) for tenant, found in ids.items()}


async def _indexed(index: JobIndex, tenant: str) -> set[str]:
    """Every id in the tenant's index."""
    found: set[str] = set()
    cursor: int | None = None
    while True:
        page, cursor = await index.page(tenant, cursor, 10_000)
        found.update(page)
        if cursor is None:
            return found


async def reindex(bus: Bus) -> Reindexed:
    """Append to each tenant's index the stored jobs it lacks, oldest first."""
    stored = await stored_job_ids(bus)
    index = JobIndex(bus)
    gate = asyncio.Semaphore(TENANTS_AT_ONCE)

    async def one(tenant: str, ids: list[str]) -> int:
        async with gate:
            known = await _indexed(index, tenant)
            missing = [job_id for job_id in ids if job_id not in known]
            # Added together, in this order: the index appends them as one batch per block.
            await asyncio.gather(*(index.add(tenant, job_id) for job_id in missing))
            if missing:
                log.info("indexed %d of %d jobs of %s", len(missing), len(ids), tenant)
            return len(missing)

    added = await asyncio.gather(*(one(tenant, ids) for tenant, ids in stored.items()))
    return Reindexed(tenants=len(stored), jobs=sum(map(len, stored.values())), added=sum(added))


async def _main() -> None:
    settings = configured("api")
    bus = await connect(settings.nats_url, name="ss-reindex", creds=settings.nats_creds)
    try:
        done = await reindex(bus)
    finally:
        await bus.close()
    print(f"{done.jobs} jobs of {done.tenants} tenants; {done.added} added to the index")


if __name__ == "__main__":
    asyncio.run(_main())
