"""A consumer's pause while a dependency it needs is unreachable (see ``libs.bus.consumer``).

After an outage the loop asks its probe (NATS and S3 reachable?) before fetching again. While
the probe finds problems the loop fetches nothing, so a worker that cannot reach S3 does not
churn through the queue; every so often it sweeps a few items without running them (they go
back as held up by the outage, and those whose outage budget is spent fail their job).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from libs.outages import describe

log = logging.getLogger(__name__)

#: Problems with the dependencies, by name (empty: all reachable).
Probe = Callable[[], Awaitable[dict[str, str]]]

#: Seconds between probes while paused (doubling up to the second figure).
_PROBE_FIRST_S, _PROBE_MAX_S = 0.5, 5.0


def reasons(problems: dict[str, str]) -> str:
    return "; ".join(f"{name}: {text}" for name, text in sorted(problems.items()))


class Pause:
    """Whether a consumer may fetch, and why not."""

    def __init__(self, name: str, probe: Probe | None, sweep_every_s: float) -> None:
        self._name = name
        self._probe = probe
        self._sweep_every_s = sweep_every_s
        self._suspect = asyncio.Event()
        #: why the consumer is not fetching (empty while it fetches)
        self.problems: dict[str, str] = {}

    def suspect(self) -> None:
        """An outage was met: probe before the next fetch."""
        self._suspect.set()

    @property
    def suspected(self) -> bool:
        return self._suspect.is_set()

    async def check(self) -> dict[str, str]:
        """The probe's problems (none without a probe)."""
        if self._probe is None:
            return {}
        try:
            return await asyncio.wait_for(self._probe(), 5.0)
        except Exception as exc:
            return {"probe": describe(exc)}

    async def hold(self, stopping: asyncio.Event,
                   sweep: Callable[[str], Awaitable[None]]) -> None:
        """Return once the probe passes (or ``stopping`` is set); meanwhile ``sweep(reason)``
        every ``sweep_every_s``."""
        problems = await self.check()
        if problems:
            self.problems = problems
            log.warning("%s paused: %s", self._name, reasons(problems))
        loop = asyncio.get_running_loop()
        interval, swept = _PROBE_FIRST_S, loop.time()
        while problems and not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), interval)
            interval = min(interval * 2, _PROBE_MAX_S)
            if loop.time() - swept >= self._sweep_every_s:
                swept = loop.time()
                await sweep(reasons(problems))
            problems = await self.check()
            self.problems = problems or self.problems
        if self.problems:
            log.warning("%s resumed: dependencies reachable again", self._name)
        self.problems = {}
        self._suspect.clear()
