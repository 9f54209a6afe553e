"""API keys shared by API replicas through KV: a revoke reaches every replica within its
cache time (real NATS)."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from libs import names
from libs.auth.keys import KeyStore, Role, new_token
from libs.bus.connection import Bus
from libs.bus.records import RecordBucket
from libs.contracts.errors import ErrorCode, SSError


async def test_revoke_reaches_another_replica_within_its_cache_time(bus: Bus) -> None:
    kv = await RecordBucket.open(bus, names.API_KEYS_BUCKET)
    here, there = KeyStore(kv, {}, cache_s=0.3), KeyStore(kv, {}, cache_s=0.3)
    token, key = await here.create("acme", Role.CLIENT, "ci")
    assert (await there.authenticate(token)).tenant == "acme"  # now cached over there
    await here.revoke(key.key_id)
    with pytest.raises(SSError) as info:
        await here.authenticate(token)  # the revoking replica forgets it at once
    assert info.value.code is ErrorCode.UNAUTHORIZED
    assert (await there.authenticate(token)).tenant == "acme"  # still within its cache time
    await asyncio.sleep(0.35)
    with pytest.raises(SSError):
        await there.authenticate(token)


async def test_operator_keys_come_only_from_the_operators_configuration(bus: Bus) -> None:
    kv = await RecordBucket.open(bus, names.API_KEYS_BUCKET)
    token, record = new_token("ops", Role.OPERATOR, "from-config")
    configured = KeyStore(kv, {record.key_id: record})
    assert (await configured.authenticate(token)).role is Role.OPERATOR
    with pytest.raises(SSError) as info:
        await configured.create("ops", Role.OPERATOR, "minted")
    assert info.value.code is ErrorCode.VALIDATION_FAILED
    # A record claiming the role in the bucket (written by anything but the operator's
    # configuration) authenticates nobody.
    forged, forged_record = new_token("ops", Role.OPERATOR, "forged")
    await kv.create(forged_record.key_id, msgspec.json.encode(forged_record))
    try:
        with pytest.raises(SSError) as info:
            await KeyStore(kv, {}).authenticate(forged)
        assert info.value.code is ErrorCode.UNAUTHORIZED
    finally:
        # The bucket outlives this test (one NATS server per session): an API test that
        # lists the operator's keys must not meet this record.
        await (await bus.js.key_value(names.API_KEYS_BUCKET)).delete(forged_record.key_id)


async def test_made_up_tokens_do_not_grow_the_cache(bus: Bus,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Unknown key ids are cached like known ones; a flood of them is forgotten once it is
    older than the cache time, so an API process does not grow with what it was sent."""
    from libs.auth import keys

    monkeypatch.setattr(keys, "CACHE_MAX", 20)
    store = KeyStore(await RecordBucket.open(bus, names.API_KEYS_BUCKET), {}, cache_s=0.05)
    for wave in range(3):
        for _ in range(20):
            token, _ = new_token("nobody", Role.CLIENT)  # never stored
            with pytest.raises(SSError):
                await store.authenticate(token)
        await asyncio.sleep(0.06)
        assert len(store._cache) <= 20, wave
