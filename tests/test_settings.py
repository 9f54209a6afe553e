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
