"""Per-key token buckets (per API process: with R replicas a key gets up to R x the rate)."""

from __future__ import annotations

import math
import time

from libs.contracts.errors import ErrorCode, SSError


class RateLimiter:
    def __init__(self, rate_per_s: float, burst: int) -> None:
        self._rate = rate_per_s
        self._burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}

    def check(self, key: str) -> None:
        """Take one token for ``key`` or raise ``RATE_LIMITED`` with ``retry_after``."""
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - last) * self._rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            wait = math.ceil((1.0 - tokens) / self._rate)
            raise SSError(ErrorCode.RATE_LIMITED,
                          f"more than {self._rate:g} requests/s for this key; retry later",
                          retry_after=max(wait, 1))
        self._buckets[key] = (tokens - 1.0, now)
