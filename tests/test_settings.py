"""Settings from the environment (libs/settings.py) and its documentation command."""

from __future__ import annotations

import pytest

from libs import settings
from libs.settings import Settings, load_settings


def test_an_unset_or_empty_variable_takes_the_default() -> None:
    defaults = Settings()
    loaded = load_settings({"SS_S3_BUCKET": "", "SS_WORKER_SLOTS": ""})
    assert (loaded.s3_bucket, loaded.worker_slots) == (defaults.s3_bucket, defaults.worker_slots)


def test_an_empty_dev_key_turns_the_dev_key_off() -> None:
    # Empty must not fall back to the well-known default key an attacker could guess.
    assert Settings().dev_api_key == "ss-dev-key"
    assert load_settings({"SS_DEV_API_KEY": ""}).dev_api_key == ""
    assert load_settings({}).dev_api_key == "ss-dev-key"


@pytest.mark.parametrize("argv", [["--chek", "README.md"], ["--check"], ["-w", "README.md"]])
def test_the_document_command_refuses_an_unknown_mode(argv: list[str]) -> None:
    assert settings.main(argv) == 2


def test_the_document_command_checks_the_readme() -> None:
    assert settings.main(["--check", "README.md"]) == 0


@pytest.mark.parametrize(("environ", "mib"), [
    ({}, 4096),
    ({"SS_JOB_MEMORY_MB": "0"}, None),
    ({"SS_WORKER_MAX_MEMORY": "3000", "SS_WORKER_SLOTS": "2"}, 1500),
    ({"SS_WORKER_MAX_MEMORY": "20000", "SS_WORKER_SLOTS": "2"}, 4096),
    ({"SS_WORKER_MAX_MEMORY": "3000", "SS_JOB_MEMORY_MB": "0", "SS_WORKER_SLOTS": "3"}, 1000),
])
def test_a_run_may_take_the_smaller_of_the_job_limit_and_its_share_of_the_worker(
        environ: dict[str, str], mib: int | None) -> None:
    memory = load_settings(environ).run_memory_bytes
    assert memory == (None if mib is None else mib * 1024**2)


@pytest.mark.parametrize("value", ["-1", "524289"])
def test_work_items_carry_at_most_half_of_a_nats_message(value: str) -> None:
    with pytest.raises(settings.SettingsError, match="SS_WORK_INLINE_MAX_BYTES"):
        load_settings({"SS_WORK_INLINE_MAX_BYTES": value})
    assert load_settings({"SS_WORK_INLINE_MAX_BYTES": "524288"}).work_inline_max_bytes == 524288
