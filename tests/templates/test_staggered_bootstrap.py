"""The imputation template's bootstrap: the same seed reproduces the replicates exactly and
another seed draws different ones, while the point estimates do not depend on the seed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from tests.templates.cases_staggered import CASES
from tests.templates.support import Results, run_case


def _run(seed: int, folder: Path) -> Results:
    folder.mkdir()
    case = replace(CASES[0], params={**CASES[0].params, "seed": seed, "reps": 20})
    return run_case(case, folder)[0]


def test_same_seed_same_replicates_other_seed_other_ones(tmp_path: Path) -> None:
    first, again, other = (_run(s, tmp_path / n) for s, n in ((7, "a"), (7, "b"), (8, "c")))
    draws = first.table("replicates").to_numpy()
    assert np.array_equal(draws, again.table("replicates").to_numpy())
    assert np.array_equal(first.table("imputation_effects")["se"],
                          again.table("imputation_effects")["se"])
    assert not np.allclose(draws, other.table("replicates").to_numpy())
    assert np.array_equal(first.table("imputation_effects")["coef"],
                          other.table("imputation_effects")["coef"])
