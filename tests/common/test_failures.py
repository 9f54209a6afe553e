"""The one table from a library's error to a catalogued one, and the one exception tree."""

from __future__ import annotations

import pytest

from client.errors import SSClientError
from libs.contracts.errors import ErrorCode, JobFailed, SSBaseError, SSError, TransientError
from libs.datasets.errors import DatasetError, DatasetErrorCode, ReadMemoryExceeded
from libs.engine.errors import StataError
from libs.reports.errors import ReportCode, ReportError
from libs.settings import SettingsError
from libs.stata_stats.errors import StatsError
from libs.templates.errors import TemplateMetadataError
from services.common.failures import catalogued


@pytest.mark.parametrize("kind", [SSError, JobFailed, TransientError, DatasetError,
                                  ReadMemoryExceeded, ReportError,
                                  TemplateMetadataError, SettingsError, StatsError, StataError,
                                  SSClientError])
def test_every_error_of_ours_has_one_root(kind: type[Exception]) -> None:
    assert issubclass(kind, SSBaseError)


def test_a_dataset_error_names_its_input_in_the_api_and_in_the_worker() -> None:
    exc = DatasetError(DatasetErrorCode.INPUT_EMPTY, "no rows", rows=0)
    for cls in (SSError, JobFailed):
        mapped = catalogued(exc, cls, input="my data.csv")
        assert type(mapped) is cls
        assert mapped.code is ErrorCode.INPUT_EMPTY
        assert mapped.message == "my data.csv: no rows"
        assert mapped.details == {"input": "my data.csv", "rows": 0}


def test_a_read_past_its_memory_is_the_run_s_memory_limit_naming_the_input() -> None:
    mapped = catalogued(ReadMemoryExceeded(80 * 2**20), JobFailed, input="big.csv")
    assert mapped.code is ErrorCode.JOB_MEMORY_EXCEEDED
    assert mapped.details == {"input": "big.csv", "limit": "memory_bytes", "step": "normalise"}
    assert "80 MiB" in mapped.message


def test_a_report_error_says_which_format_or_the_reading() -> None:
    exc = ReportError(ReportCode.TABLE_TOO_LARGE, "results/big.csv")
    mapped = catalogued(exc, JobFailed, format="xlsx")
    assert mapped.code is ErrorCode.OUTPUT_FORMATTER_FAILED
    assert mapped.message == "rendering xlsx failed: results/big.csv"
    assert mapped.details == {"format": "xlsx", "reason": "TABLE_TOO_LARGE"}
    reading = catalogued(exc, JobFailed, format="")
    assert reading.message == "reading the result tables failed: results/big.csv"


def test_a_catalogued_error_keeps_its_code_and_becomes_a_job_failure() -> None:
    exc = SSError(ErrorCode.INPUT_MISSING, "no main", inputs=["main"])
    assert catalogued(exc, SSError) is exc
    failed = catalogued(exc, JobFailed)
    assert isinstance(failed, JobFailed)
    assert (failed.code, failed.message, failed.details) == (exc.code, exc.message, exc.details)


def test_an_error_the_table_does_not_know_is_raised_as_it_is() -> None:
    exc = SettingsError("SS_MODE: unknown")
    with pytest.raises(SettingsError) as info:
        catalogued(exc, SSError)
    assert info.value is exc


def test_the_table_names_classes_that_exist() -> None:
    from services.common.failures import _TABLE

    classes = (DatasetError, ReadMemoryExceeded, ReportError)
    assert {f"{k.__module__}.{k.__qualname__}" for k in classes} == set(_TABLE)
