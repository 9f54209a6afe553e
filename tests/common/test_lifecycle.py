"""Process identity: job records tell worker replicas apart."""

from __future__ import annotations

import pytest

from services.common import lifecycle


def test_identities_differ_where_host_name_and_pid_are_the_same(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    # Replicas in containers sharing a network namespace: same host name, each its own pid 6.
    monkeypatch.setattr(lifecycle.socket, "gethostname", lambda: "ss-worker")
    monkeypatch.setattr(lifecycle.os, "getpid", lambda: 6)
    ids = {lifecycle.process_identity() for _ in range(50)}
    assert len(ids) == 50
    assert all(i.startswith("ss-worker-6-") for i in ids)
