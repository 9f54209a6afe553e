"""The per-key rate limit, shared by every API replica: a sliding log kept by JetStream.

Each allowed request of an API key stores one empty message on ``ss.rate.<key id>`` in the
memory stream ``SS_RATE``, which keeps at most ``burst`` messages per subject, refuses a new
one beyond that (``discard_new_per_subject``) and drops each after ``burst / rate`` seconds. So
a key makes at most ``burst`` requests in any ``burst / rate`` seconds — ``rate`` per second in
the long run, ``burst`` at once — counted across all replicas, in one publish per request and
with the server's clock. A refused request learns when the oldest of its key's messages
expires (``Retry-After``).

The limit protects the service; it is not what keeps data safe. When NATS cannot answer in
time, the request goes on (and most likely fails on its own NATS call anyway).
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime

from nats.errors import Error as NatsError
from nats.js import api
from nats.js.errors import APIError

from libs import names
from libs.bus import direct
from libs.bus.connection import Bus
from libs.contracts.errors import ErrorCode, SSError

log = logging.getLogger(__name__)

#: Shortest message lifetime JetStream accepts (seconds).
MIN_WINDOW_S = 0.1
#: JetStream's "store failed" error code and the server's text for a per-subject limit, its
#: only way to tell that refusal from another store failure.
_STORE_FAILED, _PER_SUBJECT_LIMIT = 10077, "maximum messages per subject exceeded"


def window_s(rate_per_s: float, burst: int) -> float:
    """How long one request counts against its key."""
    return max(burst / rate_per_s, MIN_WINDOW_S)


def stream_config(rate_per_s: float, burst: int, replicas: int) -> api.StreamConfig:
    """``SS_RATE``: every request of the window, per key, in memory (the log is worth a few
    seconds; a restarted node forgets it)."""
    return api.StreamConfig(
        name=names.RATE_STREAM,
        subjects=[names.RATE_SUBJECTS],
        retention=api.RetentionPolicy.LIMITS,
        storage=api.StorageType.MEMORY,
        num_replicas=replicas,
        max_age=window_s(rate_per_s, burst),
        max_msgs_per_subject=burst,
        discard=api.DiscardPolicy.NEW,
        discard_new_per_subject=True,
        allow_direct=True,
    )


class RateLimiter:
    """``SS_RATE_LIMIT_PER_S`` / ``SS_RATE_LIMIT_BURST`` per API key, across replicas (a rate
    of 0: no limit)."""

    def __init__(self, bus: Bus, rate_per_s: float, burst: int, *,
                 timeout_s: float = 1.0) -> None:
        self._bus = bus
        self._rate = rate_per_s
        self._window = window_s(rate_per_s, burst) if rate_per_s > 0 else 0.0
        self._timeout = timeout_s

    async def check(self, key_id: str) -> None:
        """Count one request of ``key_id``, or raise ``RATE_LIMITED`` with ``retry_after``."""
        if self._rate <= 0:
            return
        subject = names.rate_subject(key_id)
        try:
            await self._bus.js.publish(subject, b"", stream=names.RATE_STREAM,
                                       timeout=self._timeout)
            return
        except APIError as exc:
            if exc.err_code != _STORE_FAILED or _PER_SUBJECT_LIMIT not in (exc.description or ""):
                log.warning("rate limit not checked (%s): request allowed", exc)
                return
        except (NatsError, TimeoutError, ConnectionError) as exc:
            log.warning("rate limit not checked (%s): request allowed", exc)
            return
        raise SSError(ErrorCode.RATE_LIMITED,
                      f"more than {self._rate:g} requests/s for this key; retry later",
                      retry_after=await self._retry_after(subject))

    async def _retry_after(self, subject: str) -> int:
        """Whole seconds until the key's oldest counted request stops counting."""
        try:
            oldest = await direct.first(self._bus, names.RATE_STREAM, subject,
                                        timeout=self._timeout)
        except (NatsError, TimeoutError, ConnectionError):
            oldest = None
        if oldest is None:
            return 1
        left = self._window - (datetime.now(UTC) - oldest.time).total_seconds()
        return max(1, math.ceil(left))

