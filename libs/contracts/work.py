"""Work items on ``SS_WORK``: references (ids, counters); S3 and the job record hold the data.
An item may also carry copies of small S3 objects the next service would otherwise download
(``SS_WORK_INLINE_MAX_BYTES``): a shortcut only, checked against the record before use.

Work items are read tolerantly: a field this release does not know is ignored, so a service
of the previous release reads the items of the next one during a rolling upgrade (a new
field must therefore only ever be an optional shortcut, never something an item needs).
"""

from __future__ import annotations

import msgspec


class WorkItem(msgspec.Struct, kw_only=True, frozen=True):
    """Base of the items on ``SS_WORK`` (unknown fields are ignored, see above)."""


class RunWork(WorkItem, kw_only=True, frozen=True, omit_defaults=True):
    """Run the job's do-file; published on submit/retry to ``ss.work.run.<pool>``."""

    tenant: str
    job_id: str
    submission: int
    #: copies of the job's inputs normalised at upload, by S3 key (``InputFile.normalised``):
    #: the API process that stored them attaches those it still holds, the worker uses one
    #: only if its size and sha256 are the record's (left out of the JSON when empty)
    inline: dict[str, bytes] = {}


class FormatWork(WorkItem, kw_only=True, frozen=True, omit_defaults=True):
    """Render the outputs of one finished attempt; published to ``ss.work.format``."""

    tenant: str
    job_id: str
    attempt: int
    #: copies of raw files of the attempt the requested formats read, by S3 key, the bytes
    #: the worker stored there (at most ``SS_WORK_INLINE_MAX_BYTES`` in all): the formatter
    #: uses one only where the record lists an artifact of this attempt with that key and
    #: size, and downloads every other file it needs (left out of the JSON when empty)
    inline: dict[str, bytes] = {}


class HandOverCheck(WorkItem, kw_only=True, frozen=True):
    """"Check in a moment that this job's hand-over went out": stored on
    ``ss.work.dispatch`` by the API before it moves a record to ``queued`` or ``cancelled``
    (see ``services.api.dispatch``)."""

    tenant: str
    job_id: str
