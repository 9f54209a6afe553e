"""The API's memory of the inputs it normalised: bounded by total bytes (least recently used
out first), by what one run item may carry, and handing a record only the bytes it names, of
its own tenant."""

from __future__ import annotations

import hashlib

from libs.contracts.jobs import InputFile, JobRecord, JobSpec, NormalisedInput, now_iso
from services.api.packed_memory import PackedMemory


def _stored(key: str, data: bytes) -> NormalisedInput:
    return NormalisedInput(key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                           normaliser="n", limits={})


def _record(tenant: str, *stored: NormalisedInput) -> JobRecord:
    inputs = [InputFile(name=f"in{i}.csv", size=1, sha256="0", uploaded_at=now_iso(),
                        normalised=s) for i, s in enumerate(stored)]
    return JobRecord(id="j", tenant=tenant, spec=JobSpec(template_id="x"),
                     created_at=now_iso(), inputs=inputs)


def test_a_record_gets_the_bytes_it_names_of_its_own_tenant_only() -> None:
    memory = PackedMemory(1000)
    data = b"x" * 100
    mine = _stored("tenants/a/jobs/j/normalised/u", data)
    memory.keep("a", mine, data)
    assert memory.attach(_record("a", mine)) == {mine.key: data}
    # Another tenant's record naming the same object, size and sha256 gets nothing.
    assert memory.attach(_record("b", mine)) == {}
    # The same key with other content (a rewritten upload's record): nothing.
    other = b"y" * 100
    assert memory.attach(_record("a", _stored(mine.key, other))) == {}
    assert memory.attach(_record("a")) == {}


def test_what_no_item_could_carry_is_not_kept() -> None:
    data = b"z" * 101
    for memory in (PackedMemory(100), PackedMemory(0), PackedMemory(1000, total_bytes=100)):
        memory.keep("a", _stored("k", data), data)
        assert memory.held_bytes == 0
        assert memory.attach(_record("a", _stored("k", data))) == {}
    memory = PackedMemory(1000)
    memory.keep("a", _stored("k", data), data[:-1])  # not the bytes the record names
    assert memory.held_bytes == 0


def test_one_item_carries_at_most_the_bound_in_all() -> None:
    memory = PackedMemory(250)
    blobs = {f"k{i}": bytes([i]) * 100 for i in range(3)}
    stored = [_stored(key, data) for key, data in blobs.items()]
    for one in stored:
        memory.keep("a", one, blobs[one.key])
    # 100 + 100 fit in 250, the third does not: in the record's order.
    assert memory.attach(_record("a", *stored)) == {"k0": blobs["k0"], "k1": blobs["k1"]}
    assert memory.attach(_record("a", stored[2], stored[0])) == {"k2": blobs["k2"],
                                                                 "k0": blobs["k0"]}


def test_the_total_is_bounded_and_the_least_recently_used_goes_first() -> None:
    memory = PackedMemory(100, total_bytes=300)
    blobs = [bytes([i]) * 100 for i in range(5)]
    stored = [_stored(f"k{i}", data) for i, data in enumerate(blobs)]
    for i in range(3):
        memory.keep("a", stored[i], blobs[i])
    assert memory.held_bytes == 300
    assert memory.attach(_record("a", stored[0])) == {"k0": blobs[0]}  # used: now newest
    memory.keep("a", stored[3], blobs[3])
    assert memory.held_bytes == 300
    held = {s.key for s in stored if memory.attach(_record("a", s))}
    assert held == {"k0", "k2", "k3"}  # k1 was the least recently used
    # Keeping an entry again replaces it (never counted twice) and makes it the newest.
    memory.keep("a", stored[0], blobs[0])
    memory.keep("a", stored[4], blobs[4])
    assert memory.held_bytes == 300
    assert {s.key for s in stored if memory.attach(_record("a", s))} == {"k0", "k3", "k4"}
