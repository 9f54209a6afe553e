"""The job records this API process wrote last, as the first try of its next CAS on them.

A client's create, upload and submit of one job usually reach the same process one after
the other, and each is a CAS that needs the record and its revision.
``JobStore.mutate(known=...)`` tries the CAS on a copy the caller holds: a current copy
saves the KV read, and a stale one (another replica or a worker changed the record since)
fails the CAS or is decided again on a fresh read. So a copy from here never decides a
change by itself. The checks made on it before the CAS are ones an older copy cannot get
wrong: the spec never changes, and a record only moves on (an older copy's state is never
later than the record's, its inputs never more).

Per process, at most ``size`` records, least recently used out first, and only records whose
inputs list at most ``columns`` columns in all (a record's size is mostly its column maps).
Reads that answer a client (``GET /v1/jobs/{id}``) always read the KV.
"""

from __future__ import annotations

from collections import OrderedDict

from libs import names
from libs.contracts.jobs import JobRecord


class RecentRecords:
    """Records (with their revisions) this process stored, by job key."""

    def __init__(self, size: int = 256, columns: int = 1000) -> None:
        self._size = size
        self._columns = columns
        self._kept: OrderedDict[str, tuple[JobRecord, int]] = OrderedDict()

    def remember(self, record: JobRecord, revision: int) -> None:
        """Keep ``record`` as stored at ``revision`` (replacing an older copy)."""
        key = names.job_key(record.tenant, record.id)
        self._kept.pop(key, None)
        if sum(len(f.columns) for f in record.inputs) > self._columns:
            return
        self._kept[key] = (record, revision)
        if len(self._kept) > self._size:
            self._kept.popitem(last=False)

    def get(self, tenant: str, job_id: str) -> tuple[JobRecord, int] | None:
        """The last copy of the job this process stored, if it still holds one."""
        try:
            key = names.job_key(tenant, job_id)
        except ValueError:
            return None
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
        return found
