from __future__ import annotations

import pytest

from libs import names
from libs.bus.connection import Bus
from libs.bus.idempotency import IdempotencyStore, fingerprint
from libs.contracts.errors import ErrorCode, SSError


async def test_claim_replay_reuse_in_progress_and_abandon(bus: Bus) -> None:
    store = IdempotencyStore(await bus.js.key_value(names.IDEMPOTENCY_BUCKET), wait_s=0.3)
    entry = store.entry_key("t", "create", "k1")
    body = fingerprint("POST", "/v1/jobs", b"{}")
    assert await store.begin(entry, body) is None
    with pytest.raises(SSError) as busy:
        await store.begin(entry, body)
    assert busy.value.code is ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS
    await store.finish(entry, body, 201, b'{"id":"x"}')
    replay = await store.begin(entry, body)
    assert replay is not None
    assert (replay.status, replay.body) == (201, b'{"id":"x"}')
    with pytest.raises(SSError) as reused:
        await store.begin(entry, fingerprint("POST", "/v1/jobs", b'{"other":1}'))
    assert reused.value.code is ErrorCode.IDEMPOTENCY_KEY_REUSED
    other = store.entry_key("t", "create", "k2")
    assert await store.begin(other, body) is None
    await store.abandon(other)
    assert await store.begin(other, body) is None  # a failed first try may be retried
