from __future__ import annotations

import asyncio

import msgspec
import pytest

from libs import names
from libs.bus.connection import Bus
from libs.bus.idempotency import Claim, IdempotencyStore, StoredResponse, fingerprint
from libs.contracts.errors import ErrorCode, SSError


async def _store(bus: Bus, lease_s: float = 10.0) -> IdempotencyStore:
    kv = await bus.js.key_value(names.IDEMPOTENCY_BUCKET)
    return IdempotencyStore(kv, wait_s=0.3, lease_s=lease_s)


async def test_claim_replay_reuse_in_progress_and_release(bus: Bus) -> None:
    store = await _store(bus)
    entry = store.entry_key("t", "create", "k1")
    body = fingerprint("POST", "/v1/jobs", b"{}")
    claim = await store.begin(entry, body, "job-1")
    assert isinstance(claim, Claim)
    assert (claim.reservation, claim.resumed) == ("job-1", False)
    with pytest.raises(SSError) as busy:
        await store.begin(entry, body, "job-2")
    assert busy.value.code is ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS
    assert 1 <= busy.value.details["retry_after"] <= 10
    await store.finish(claim, 201, b'{"id":"x"}')
    replay = await store.begin(entry, body, "job-3")
    assert not isinstance(replay, Claim)
    assert (replay.status, replay.body) == (201, b'{"id":"x"}')
    with pytest.raises(SSError) as reused:
        await store.begin(entry, fingerprint("POST", "/v1/jobs", b'{"other":1}'), "job-4")
    assert reused.value.code is ErrorCode.IDEMPOTENCY_KEY_REUSED
    # A failed request releases its claim: the retry proceeds at once, with the same
    # reservation (the failed request may have stored the job before failing).
    other = store.entry_key("t", "create", "k2")
    first = await store.begin(other, body, "job-5")
    assert isinstance(first, Claim)
    await store.release(first)
    retry = await store.begin(other, body, "job-6")
    assert isinstance(retry, Claim)
    assert (retry.reservation, retry.resumed) == ("job-5", True)


async def test_a_claim_whose_request_died_is_taken_over_after_the_lease(bus: Bus) -> None:
    store = await _store(bus, lease_s=2.0)
    entry = store.entry_key("t", "create", "died")
    body = fingerprint("POST", "/v1/jobs", b"{}")
    dead = await store.begin(entry, body, "job-a")  # never finished, never released
    assert isinstance(dead, Claim)
    with pytest.raises(SSError) as busy:
        await store.begin(entry, body, "job-b")
    assert busy.value.code is ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS
    await asyncio.sleep(2.0)
    # Several retries at once: exactly one takes the claim over, with the dead one's
    # reservation; the others wait and are told it is in progress.
    results = await asyncio.gather(*(store.begin(entry, body, f"job-{n}") for n in range(4)),
                                   return_exceptions=True)
    claims = [r for r in results if isinstance(r, Claim)]
    assert [(c.reservation, c.resumed) for c in claims] == [("job-a", True)]
    assert all(isinstance(r, SSError) and r.code is ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS
               for r in results if not isinstance(r, Claim))
    # The dead request's late release does not clobber the new holder's claim.
    await store.release(dead)
    kv = await bus.js.key_value(names.IDEMPOTENCY_BUCKET)
    held = msgspec.json.decode((await kv.get(entry)).value or b"", type=StoredResponse)
    assert held.claimed_at > 0
    await store.finish(claims[0], 201, b'{"id":"job-a"}')
    replay = await store.begin(entry, body, "job-y")
    assert not isinstance(replay, Claim)
    assert replay.body == b'{"id":"job-a"}'
