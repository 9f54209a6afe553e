"""Inputs the API normalised at upload: whether the worker may start from one, and reading it.

The API stores small uploads normalised beside them (``services.api.inputs``,
``libs.datasets.packed``). The worker uses such an object instead of downloading and
normalising the upload only when it would have written the same table itself:

- the same normalising code (``normaliser_id``) and the sheet the worker reads;
- limits ``within`` the worker's (a normalisation the API finished under tighter or equal
  bounds the worker would finish too; limits never change what a finished one writes);
- the object lies under the job's own prefix (so under its tenant's), and its bytes have the
  size and sha256 the API recorded after writing it.

The run item may carry a copy of the object (``RunWork.inline``, attached by the API process
that stored it): the worker starts from that copy instead of downloading the object only if
its size and sha256 are the ones on the record (``carried``), else it downloads as without it.

Anything else, or any failure to fetch or unpack it, and the worker reads the upload as it
always did: a stale, missing or tampered object costs time, never a job.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path

import msgspec

from libs import names
from libs.contracts.jobs import InputFile, JobRecord, NormalisedInput
from libs.datasets.limits import Limits
from libs.datasets.packed import normaliser_id, unpack
from libs.datasets.report import NormaliseReport
from services.worker.input_cache import file_sha256, on_disk

log = logging.getLogger(__name__)


def usable(record: JobRecord, upload: InputFile, sheet: str | None,
           limits: Limits) -> NormalisedInput | None:
    """The upload's normalised object if the worker, reading ``sheet`` under ``limits``,
    may start from it; None if it must read the upload."""
    found = upload.normalised
    if found is None or found.normaliser != normaliser_id() or sheet != upload.sheet:
        return None
    if not found.key.startswith(names.job_prefix(record.tenant, record.id)):
        return None
    try:
        read_under = msgspec.convert(found.limits, Limits)
    except msgspec.ValidationError:  # a limit this worker does not know
        return None
    return found if read_under.within(limits) else None


def carried(found: NormalisedInput, inline: Mapping[str, bytes]) -> bytes | None:
    """The run item's copy of the object ``found``, if it has one of the recorded size and
    sha256 (a copy that differs is ignored: the object is downloaded instead)."""
    data = inline.get(found.key)
    if data is None:
        return None
    if len(data) != found.size or hashlib.sha256(data).hexdigest() != found.sha256:
        log.warning("the run item's copy of %s does not match its record; downloading it",
                    found.key)
        return None
    return data


async def unpacked(found: NormalisedInput, packed: Path, dst: Path) -> NormaliseReport | None:
    """The report of the object downloaded to ``packed``, its ``.dta`` written to ``dst``;
    None (and nothing at ``dst``) unless the bytes are the ones the API recorded."""
    if packed.stat().st_size != found.size \
            or await on_disk(found.size, file_sha256, packed) != found.sha256:
        log.warning("normalised input %s does not match its record; reading the upload",
                    found.key)
        return None
    try:
        return await on_disk(found.size, unpack, packed, dst)
    except (ValueError, OSError):
        log.warning("normalised input %s does not unpack; reading the upload", found.key)
        with contextlib.suppress(OSError):
            dst.unlink()
        return None
