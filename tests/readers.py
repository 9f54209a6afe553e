"""Tests that need to know which tasks were sent to the isolated dataset readers."""

from __future__ import annotations

from typing import Any

import pytest

from libs.datasets import isolation


def record_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tasks sent to reader children from now on, in order (each still goes on to the
    real reader)."""
    seen: list[str] = []
    run = isolation._run

    def spy(task: str, args: tuple[Any, ...], timeout: float | None) -> bytes:
        seen.append(task)
        return run(task, args, timeout)

    monkeypatch.setattr(isolation, "_run", spy)
    return seen
