"""The records an API process keeps as the first try of its next CAS: bounded in count and in
the columns their inputs list, per tenant. (tests/api/test_replicas.py checks that a copy
another replica made stale never decides a change.)"""

from __future__ import annotations

import msgspec

from libs.contracts.jobs import InputColumn, InputFile, JobRecord, JobSpec, new_job_id, now_iso
from services.api.recent import RecentRecords

SPEC = JobSpec(template_id="ols_robust", params={"depvar": "price", "indepvars": ["mpg"]})


def _record(tenant: str = "t", columns: int = 0) -> JobRecord:
    upload = InputFile(name="a.csv", size=1, sha256="0" * 64, uploaded_at=now_iso(),
                       key="k", columns=[InputColumn(name=f"c{i}", original=f"c{i}",
                                                     kind="numeric") for i in range(columns)])
    return JobRecord(id=new_job_id(), tenant=tenant, spec=SPEC, created_at=now_iso(),
                     inputs=[upload] if columns else [])


def test_the_last_copy_stored_is_the_one_kept() -> None:
    recent = RecentRecords()
    record = _record()
    recent.remember(record, 3)
    later = msgspec.structs.replace(record, submission=1)
    recent.remember(later, 7)
    assert recent.get("t", record.id) == (later, 7)
    assert recent.get("other", record.id) is None  # another tenant's key
    assert recent.get("t", "not a valid id!") is None


def test_copies_are_bounded_in_count_and_columns() -> None:
    recent = RecentRecords(size=2, columns=10)
    first, second, third = _record(), _record(), _record()
    recent.remember(first, 1)
    recent.remember(second, 2)
    assert recent.get("t", first.id) is not None  # used: the least recently used is second
    recent.remember(third, 3)
    assert recent.get("t", second.id) is None
    assert recent.get("t", first.id) == (first, 1)
    assert recent.get("t", third.id) == (third, 3)
    recent.remember(_record(columns=10), 4)  # at the bound: kept
    wide = _record(columns=11)
    recent.remember(first, 5)
    recent.remember(msgspec.structs.replace(wide, id=first.id), 6)  # over it: the old copy goes
    assert recent.get("t", first.id) is None
