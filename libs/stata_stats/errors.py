"""The one exception this package raises: a failure Stata reports with a return code.

``StatsError(code, message)`` carries Stata's ``r(code)`` (2000 "no observations", 2001
"insufficient observations", 402 "negative weights encountered", 198 invalid request...) so
the interpreter can map it onto its own error type without parsing messages.
"""

from __future__ import annotations

from libs.contracts.errors import SSBaseError

#: Stata's return codes used by the estimators.
INVALID_SYNTAX = 198
NEGATIVE_WEIGHTS = 402
NONINTEGER_WEIGHTS = 401
MATRIX_NOT_POSITIVE_DEFINITE = 506
NO_OBSERVATIONS = 2000
INSUFFICIENT_OBSERVATIONS = 2001
CONVERGENCE_NOT_ACHIEVED = 430


class StatsError(SSBaseError):
    """A statistical command failed; ``code`` is what Stata shows as ``r(code);``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
