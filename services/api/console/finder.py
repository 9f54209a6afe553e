"""The jobs list of the console: filters over the API's listing, across tenants for the
operator.

It pages through ``tenant_jobs`` (the listing behind ``GET /v1/jobs``), newest first, and
keeps the jobs that match. Job ids start with their creation time, so the jobs of several
tenants merge by id into one newest-first list, and a time filter stops the walk at the first
older job. A page reads at most ``SCAN_BUDGET`` records; when the filters are that selective,
the page is shorter and its cursor continues where the walk stopped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from libs.contracts.jobs import JobRecord, JobState
from services.api.routes.jobs import tenant_jobs
from services.api.state import Services

#: Most job records one page of the console's list reads.
SCAN_BUDGET = 1000
#: Records fetched per tenant per listing call.
CHUNK = 50


@dataclass(frozen=True)
class JobFilter:
    state: JobState | None = None
    template: str | None = None
    #: only jobs created in the last ``age_s`` seconds
    age_s: float | None = None

    def matches(self, record: JobRecord) -> bool:
        return ((self.state is None or record.state is self.state)
                and (self.template is None or record.spec.template_id == self.template))

    def oldest_id(self) -> str | None:
        """The smallest job id the time filter admits (ids begin with milliseconds, in hex)."""
        if self.age_s is None:
            return None
        return f"{int((time.time() - self.age_s) * 1000):012x}"


@dataclass
class _Tenant:
    """One tenant's listing, read a chunk at a time, of the jobs older than ``before`` (a job
    id; None: from the newest)."""

    name: str
    before: str | None
    buffer: list[JobRecord] = field(default_factory=list)
    #: the tenant index's cursor (an ordinal) once the walk has started
    cursor: str | None = None
    started: bool = False
    done: bool = False

    async def head(self, services: Services) -> JobRecord | None:
        if not self.started:
            self.started = True
            if self.before is not None:
                ordinal = await services.index.position(self.name, self.before)
                self.cursor, self.done = str(ordinal), ordinal == 0
        while not self.buffer and not self.done:
            found, self.cursor = await tenant_jobs(services, self.name, self.cursor, CHUNK)
            self.buffer = [record for record, _ in found
                           if self.before is None or record.id < self.before]
            self.done = self.cursor is None
        return self.buffer[0] if self.buffer else None


@dataclass(frozen=True)
class FoundJobs:
    records: list[JobRecord]
    #: where the next page starts (None: nothing more)
    cursor: str | None
    #: records read for this page
    scanned: int


async def find_jobs(services: Services, tenants: list[str], wanted: JobFilter,
                    cursor: str | None, limit: int) -> FoundJobs:
    """Up to ``limit`` matching jobs of ``tenants`` older than ``cursor``, newest first."""
    listings = [_Tenant(t, cursor) for t in tenants]
    oldest = wanted.oldest_id()
    shown: list[JobRecord] = []
    scanned = 0
    last: str | None = None
    while len(shown) < limit and scanned < SCAN_BUDGET:
        heads = [(head.id, listing) for listing in listings
                 if (head := await listing.head(services)) is not None]
        if not heads:
            return FoundJobs(shown, None, scanned)
        _, listing = max(heads, key=lambda pair: pair[0])
        record = listing.buffer.pop(0)
        if oldest is not None and record.id < oldest:
            return FoundJobs(shown, None, scanned)
        scanned += 1
        last = record.id
        if wanted.matches(record):
            shown.append(record)
    more = any(listing.buffer or not listing.done for listing in listings)
    return FoundJobs(shown, last if more else None, scanned)
