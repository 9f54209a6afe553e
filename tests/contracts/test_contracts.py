from __future__ import annotations

import msgspec
import pytest

from libs import names
from libs.contracts.errors import HTTP_STATUS, ErrorCode, SSError
from libs.contracts.events import (
    EVENT_TYPES,
    JobCompleted,
    JobCreated,
    decode_event,
    encode_event,
    event_type,
)
from libs.contracts.jobs import (
    TERMINAL_STATES,
    TRANSITIONS,
    InputFile,
    JobRecord,
    JobSpec,
    JobState,
    check_transition,
    new_job_id,
    now_iso,
)
from libs.contracts.work import FormatWork, HandOverCheck, RunWork


def test_every_code_has_an_http_status() -> None:
    assert set(HTTP_STATUS) == set(ErrorCode)
    assert all(400 <= s < 600 for s in HTTP_STATUS.values())


def test_transition_table_matches_the_design() -> None:
    legal = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert (JobState.CREATED, JobState.QUEUED) in legal
    assert (JobState.FORMATTING, JobState.SUCCEEDED) in legal
    assert (JobState.FAILED, JobState.QUEUED) in legal
    assert not TRANSITIONS[JobState.SUCCEEDED]
    for state in JobState:
        for target in JobState:
            if (state, target) in legal:
                check_transition(state, target)
            else:
                with pytest.raises(SSError) as info:
                    check_transition(state, target)
                assert info.value.code is ErrorCode.JOB_STATE_CONFLICT
    assert {JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED} == TERMINAL_STATES


def test_record_round_trips_and_refuses_unknown_fields() -> None:
    record = JobRecord(id=new_job_id(), tenant="t", spec=JobSpec(template_id="ols"),
                       created_at=now_iso())
    data = msgspec.json.encode(record)
    assert msgspec.json.decode(data, type=JobRecord) == record
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(data[:-1] + b',"surprise":1}', type=JobRecord)
    assert record.moved(JobState.QUEUED).state is JobState.QUEUED


def test_work_items_ignore_fields_of_a_later_release_but_need_their_own() -> None:
    # A worker or formatter of release N reads the items of release N+1 during an upgrade.
    for kind, item in ((RunWork, RunWork(tenant="t", job_id="j", submission=2)),
                       (FormatWork, FormatWork(tenant="t", job_id="j", attempt=1)),
                       (HandOverCheck, HandOverCheck(tenant="t", job_id="j"))):
        data = msgspec.json.encode(item)
        assert msgspec.json.decode(data[:-1] + b',"shortcut":{"a":[1]}}', type=kind) == item
        with pytest.raises(msgspec.ValidationError, match="tenant"):
            msgspec.json.decode(b'{"job_id":"j","submission":1,"attempt":1}', type=kind)


@pytest.mark.parametrize(("kind", "fields", "old"), [
    (RunWork, {"submission": 2}, b'{"tenant":"t","job_id":"j","submission":2}'),
    (FormatWork, {"attempt": 1}, b'{"tenant":"t","job_id":"j","attempt":1}'),
])
def test_an_item_without_copies_is_the_older_shape(
    kind: type[RunWork | FormatWork], fields: dict[str, int], old: bytes,
) -> None:
    # Items with nothing inline are the ones a release without the field publishes and reads.
    assert msgspec.json.encode(kind(tenant="t", job_id="j", **fields)) == old
    assert msgspec.json.decode(old, type=kind).inline == {}
    carried = kind(tenant="t", job_id="j", inline={"k": b"\x00\xffdata"}, **fields)
    assert msgspec.json.decode(msgspec.json.encode(carried), type=kind) == carried


def test_job_ids_sort_by_creation_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # One id per millisecond (mid-millisecond, so float rounding cannot merge two).
    clock = iter((1_790_000_000_000 + k + 0.5) / 1000 for k in range(50))
    monkeypatch.setattr("libs.contracts.jobs.time.time", lambda: next(clock))
    ids = [new_job_id() for _ in range(50)]
    assert len(set(ids)) == 50
    assert all(len(i) == 28 for i in ids)
    assert ids == sorted(ids)  # made in this order, so they sort in it


def test_events_are_a_tagged_union() -> None:
    created = JobCreated(tenant="t", job_id="j", at=now_iso(), template_id="x")
    done = JobCompleted(tenant="t", job_id="j", at=now_iso(), status=JobState.FAILED)
    assert decode_event(encode_event(created)) == created
    assert decode_event(encode_event(done)) == done
    assert [event_type(created), event_type(done)] == ["created", "completed"]
    assert set(EVENT_TYPES) >= {"created", "completed"}


def test_bind_inputs_by_map_stem_and_single_upload() -> None:
    def upload(name: str) -> InputFile:
        return InputFile(name=name, size=1, sha256="0", uploaded_at=now_iso())

    base = JobRecord(id="j", tenant="t", spec=JobSpec(template_id="x"), created_at=now_iso())
    one = msgspec.structs.replace(base, inputs=[upload("auto.csv")])
    assert one.bind_inputs(["main"])["main"].name == "auto.csv"
    two = msgspec.structs.replace(base, inputs=[upload("main.csv"), upload("using.xlsx")])
    bound = two.bind_inputs(["main", "using"])
    assert (bound["main"].name, bound["using"].name) == ("main.csv", "using.xlsx")
    mapped = msgspec.structs.replace(
        two, spec=JobSpec(template_id="x", inputs={"main": "using.xlsx"}))
    assert mapped.bind_inputs(["main"])["main"].name == "using.xlsx"
    with pytest.raises(SSError) as info:
        base.bind_inputs(["main"])
    assert info.value.code is ErrorCode.INPUT_MISSING


def test_names_are_pure_and_refuse_injection() -> None:
    assert names.event_subject("t1", "j1", "completed") == "ss.events.t1.j1.completed"
    assert names.run_subject("embedded") == "ss.work.run.embedded"
    assert names.attempt_key("t", "j", 2, "results/coefficients.csv") == (
        "tenants/t/jobs/j/attempts/2/results/coefficients.csv")
    assert names.msg_id("j", 3, "run") == "j:3:run"
    for bad in ("a.b", "*", ">", "", "x" * 65, "a b"):
        with pytest.raises(ValueError, match="invalid tenant"):
            names.job_key(bad, "j")
    for bad in ("../x", ".hidden", "a/.git/x", "/".join("abcdefghi"), "", "x\n", "a//b",
                "/".join(["数" * 84] * 2)):
        with pytest.raises(ValueError, match="invalid"):
            names.attempt_key("t", "j", 1, bad)
    # what a do-file writes: any name a person gives a file, in folders
    assert names.attempt_key("t", "j", 1, "tables/Table 1 (final).xlsx") == (
        "tenants/t/jobs/j/attempts/1/tables/Table%201%20%28final%29.xlsx")
    with pytest.raises(ValueError, match="invalid file name"):
        names.input_key("t", "j", "u1", "..")


def test_input_names_are_any_reasonable_unicode_and_their_keys_plain_ascii() -> None:
    for name, stored in (("auto.csv", "auto.csv"), ("my data.csv", "my%20data.csv"),
                         ("数据.csv", "%E6%95%B0%E6%8D%AE.csv"),
                         ("Umfrage_2020 (final).csv", "Umfrage_2020%20%28final%29.csv"),
                         ("100%.csv", "100%25.csv"), (".x.csv", ".x.csv")):
        assert names.input_file_name(name) == name
        assert names.input_key("t", "j", "u1", name) == f"tenants/t/jobs/j/inputs/u1/{stored}"
    longest = "数" * 84 + ".csv"  # 252 + 4 bytes of UTF-8
    assert len(names.stored_file_name(longest[1:])) < 1024 - len(names.input_key("t", "j", "u",
                                                                                  "x"))
    for bad in ("", "  ", ".", "..", "a..b", "a/b", "a\\b", "x\x00", "x\x1f", "x\x7f",
                "x\x85", "a\u2028b", "a\u202eb", "\ud800", longest):
        with pytest.raises(ValueError, match="invalid file name"):
            names.input_key("t", "j", "u1", bad)


def test_every_code_is_documented_and_the_page_is_current() -> None:
    from pathlib import Path

    from libs.contracts.errors import code_descriptions, errors_markdown

    assert set(code_descriptions()) == set(ErrorCode)
    page = Path(__file__).resolve().parents[2] / "docs" / "errors.md"
    assert page.read_text() == errors_markdown(), "run: make docs"


def test_every_error_code_is_exercised_by_some_test() -> None:
    """A code nobody's test produces is a code nobody knows still works."""
    import re
    from pathlib import Path

    here = Path(__file__).resolve()
    corpus = "".join(p.read_text(errors="replace") for p in here.parents[1].rglob("*.py")
                     if p != here)
    untested = [c.value for c in ErrorCode
                if not re.search(rf'"{c.value}"|Code\.{c.name}\b', corpus)]
    assert untested == []


def test_every_dataset_error_code_is_in_the_catalogue() -> None:
    """The worker and API map a DatasetError to ErrorCode(code): a code missing here would
    turn a bad input into a crash loop instead of a clear refusal."""
    from libs.datasets.errors import DatasetErrorCode

    assert {c.value for c in DatasetErrorCode} <= {c.value for c in ErrorCode}
