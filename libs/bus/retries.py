"""Retrying work items through outages without spending the crash budget.

JetStream counts every delivery of a work item, naks included, so ``num_delivered`` alone
cannot tell a worker that crashed from one that handed its item back because S3 was down. The
consumer loop therefore keeps a small ledger in KV ``ss_retries``: one entry per work item that
was ever handed back, written before the hand-back (nak). From it:

    crashes = num_delivered - 1 - excused

the deliveries that ended with no answer at all (a killed or hung process, a bug), which is
what ``SS_MAX_DELIVER`` limits. A transient failure also starts the item's outage clock; once
the item has waited ``SS_INFRA_RETRY_BUDGET_S`` through outages the job fails with
``INFRA_RETRY_BUDGET_EXCEEDED``. The happy path never touches the ledger: an item delivered
once has nothing to look up, and an entry is deleted when its item is acked.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import msgspec
from nats.js.errors import KeyDeletedError, KeyNotFoundError
from nats.js.kv import KeyValue

from libs import names
from libs.bus.connection import Bus
from libs.contracts.errors import ErrorCode, ErrorInfo
from libs.settings import Settings


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a consumer retries, and when it gives up."""

    #: deliveries that may end with no answer (``SS_MAX_DELIVER``)
    crash_budget: int
    #: how long an item may be held up by outages (``SS_INFRA_RETRY_BUDGET_S``)
    outage_budget_s: float
    #: the backoff's cap
    max_delay_s: float
    #: the first retry's delay (before jitter)
    base_delay_s: float = 1.0

    @classmethod
    def of(cls, settings: Settings, *, crash_budget: int | None = None) -> RetryPolicy:
        return cls(crash_budget=settings.max_deliver if crash_budget is None else crash_budget,
                   outage_budget_s=settings.infra_retry_budget_s,
                   max_delay_s=settings.infra_retry_max_delay_s)

    def backoff(self, retry: int) -> float:
        """Delay before retry number ``retry`` (1, 2, ...): doubling from the base up to the
        cap, then a uniform jitter over its upper half so items that failed together (an S3
        outage fails every running item at once) do not all come back at once."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2.0 ** min(retry - 1, 30))
        return random.uniform(ceiling / 2.0, ceiling)


class RetryRecord(msgspec.Struct, kw_only=True, frozen=True):
    """What the ledger knows about one work item."""

    #: the item's stream timestamp: an entry left over from a purged stream, whose sequence
    #: number was reused, never matches
    stored_at: float
    #: deliveries that ended with a hand-back (transient failure, shutdown): not crashes
    excused: int = 0
    #: transient failures so far (the backoff's exponent)
    transient: int = 0
    #: when the item was first held up by an outage (unix seconds; None: never)
    outage_since: float | None = None
    last_error: str = ""

    def crashes(self, num_delivered: int) -> int:
        """Finished deliveries (all but the current one) that ended with no answer."""
        return max(0, num_delivered - 1 - self.excused)

    def excused_once(self) -> RetryRecord:
        return msgspec.structs.replace(self, excused=self.excused + 1)

    def failed_transiently(self, now: float, error: str) -> RetryRecord:
        return msgspec.structs.replace(
            self, excused=self.excused + 1, transient=self.transient + 1,
            outage_since=now if self.outage_since is None else self.outage_since,
            last_error=error)

    def delivery_limit(self, num_delivered: int, budget: int) -> ErrorInfo:
        crashes = self.crashes(num_delivered)
        return ErrorInfo(
            error_code=ErrorCode.DELIVERY_LIMIT_EXCEEDED,
            message=f"the work item was delivered {num_delivered - 1} times and {crashes} of "
            "them never finished (the process handling it crashed, hung or hit a bug); "
            "giving up",
            details={"deliveries": num_delivered - 1, "crashes": crashes, "budget": budget,
                     "transient_failures": self.transient})

    def outage_exceeded(self, now: float, budget_s: float) -> ErrorInfo:
        waited = now - (self.outage_since if self.outage_since is not None else now)
        return ErrorInfo(
            error_code=ErrorCode.INFRA_RETRY_BUDGET_EXCEEDED,
            message=f"NATS or S3 stayed unavailable for {waited:.0f} s of retrying (budget "
            f"{budget_s:.0f} s, {self.transient} retries); last error: {self.last_error}",
            details={"waited_s": round(waited, 1), "budget_s": budget_s,
                     "retries": self.transient, "last_error": self.last_error})


_decoder = msgspec.json.Decoder(RetryRecord)


class RetryLedger:
    """The ``ss_retries`` bucket, for one consumer."""

    def __init__(self, kv: KeyValue, durable: str) -> None:
        self._kv = kv
        self._durable = durable

    @classmethod
    async def open(cls, bus: Bus, durable: str) -> RetryLedger:
        return cls(await bus.js.key_value(names.RETRIES_BUCKET), durable)

    async def get(self, stream_seq: int, stored_at: float) -> RetryRecord:
        """The item's record (an empty one when it was never handed back)."""
        fresh = RetryRecord(stored_at=stored_at)
        try:
            entry = await self._kv.get(names.retry_key(self._durable, stream_seq))
        except (KeyNotFoundError, KeyDeletedError):
            return fresh
        try:
            record = _decoder.decode(entry.value or b"")
        except msgspec.DecodeError:
            return fresh
        return record if record.stored_at == stored_at else fresh

    async def put(self, stream_seq: int, record: RetryRecord) -> None:
        await self._kv.put(names.retry_key(self._durable, stream_seq),
                           msgspec.json.encode(record))

    async def forget(self, stream_seq: int) -> None:
        await self._kv.delete(names.retry_key(self._durable, stream_seq))
