"""The matching template refuses nnmatch-only options with psmatch (Stata's r(198)) instead
of silently dropping them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.templates.cases_matching import CASES
from tests.templates.support import run_case


@pytest.mark.parametrize("option", ["biasadj", "ematch"])
def test_psmatch_with_an_nnmatch_option_is_r198(option: str, tmp_path: Path) -> None:
    nnmatch = CASES[0]
    params = {**nnmatch.params, "method": "psmatch", "biasadj": [], "ematch": []}
    params[option] = ["g"]
    with pytest.raises(AssertionError, match=r"rc 198: .*apply to method nnmatch only"):
        run_case(replace(nnmatch, params=params), tmp_path)
