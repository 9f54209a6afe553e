"""The one exception the report library raises.

``ReportError`` carries a stable ``code`` (an upper-case identifier the formatter service
can put on the job) and a human ``message`` that names the offending file. Callers branch
on ``code``; nobody parses ``message``.
"""

from __future__ import annotations

from enum import StrEnum

from libs.contracts.errors import SSBaseError


class ReportCode(StrEnum):
    """Why a report could not be built."""

    #: a results/*.csv is not in the documented shape (missing column, bad number, ...)
    RESULT_TABLE_MALFORMED = "RESULT_TABLE_MALFORMED"
    #: the coefficient, statistic and model tables disagree with each other
    RESULT_MODELS_INCONSISTENT = "RESULT_MODELS_INCONSISTENT"
    #: ``render`` was asked for a format that is not in ``FORMATS``
    FORMAT_UNKNOWN = "FORMAT_UNKNOWN"
    #: a raw file the format copies (main.log, main.do, a declared dataset) is absent
    RAW_FILE_MISSING = "RAW_FILE_MISSING"
    #: a table has more rows than an Excel sheet holds
    TABLE_TOO_LARGE = "TABLE_TOO_LARGE"
    #: the text needs glyphs (e.g. Chinese) that no installed PDF font covers
    FONT_MISSING = "FONT_MISSING"
    #: graphs/index.json is not the graph list libs.contracts.graphs describes
    GRAPH_LIST_MALFORMED = "GRAPH_LIST_MALFORMED"
    #: rendering took longer than the formatter allows (``SS_RENDER_TIMEOUT_S``)
    RENDER_TIMEOUT = "RENDER_TIMEOUT"


class ReportError(SSBaseError):
    """A report could not be rendered; ``code`` says why, ``message`` says where."""

    def __init__(self, code: ReportCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
