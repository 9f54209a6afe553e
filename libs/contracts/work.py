"""Work items on ``SS_WORK``: references only (ids, counters), never data."""

from __future__ import annotations

from libs.contracts.jobs import Struct


class RunWork(Struct, kw_only=True, frozen=True):
    """Run the job's do-file; published on submit/retry to ``ss.work.run.<pool>``."""

    tenant: str
    job_id: str
    submission: int


class FormatWork(Struct, kw_only=True, frozen=True):
    """Render the outputs of one finished attempt; published to ``ss.work.format``."""

    tenant: str
    job_id: str
    attempt: int


class HandOverCheck(Struct, kw_only=True, frozen=True):
    """"Check in a moment that this job's hand-over went out": stored on
    ``ss.work.dispatch`` by the API before it moves a record to ``queued`` or ``cancelled``
    (see ``services.api.dispatch``)."""

    tenant: str
    job_id: str
