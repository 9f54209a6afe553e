"""``icc`` ([R] icc) on Shrout and Fleiss's (1979) judges data: 6 targets rated by 4 judges.

References: the ICCs Shrout and Fleiss publish for this table (Table 4: ICC(1,1) = .17,
ICC(2,1) = .29, ICC(3,1) = .71, ICC(1,4) = .44, ICC(2,4) = .62, ICC(3,4) = .91), the two-way
random-effects output [R] icc prints for it (.2897638 [.0187865, .7610844], average .6200505
[.0711368, .927232]), and the mean-square formulas of McGraw and Wong (1996) evaluated here
from an ANOVA written out in numpy.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.engine.icc_reference import reference_icc

JUDGES = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9],
                   [6, 2, 4, 7]], dtype=float)


def _long() -> str:
    rows = [f"{t + 1} {j + 1} {JUDGES[t, j]:g}" for t in range(6) for j in range(4)]
    return "clear\ninput target judge rating\n" + "\n".join(rows) + "\nend\n"


@pytest.mark.parametrize(("options", "icc_i", "icc_avg"), [
    ("", 0.17, 0.44), ("judge", 0.29, 0.62), ("judge, mixed", 0.71, 0.91)])
def test_shrout_fleiss_table(stata, options, icc_i, icc_avg) -> None:  # type: ignore[no-untyped-def]
    run = stata(_long() + f"icc rating target {options}")
    assert run.rc == 0, run.log
    r = run.session.r.scalars
    assert round(r["icc_i"], 2) == icc_i
    assert round(r["icc_avg"], 2) == icc_avg
    assert (r["N_target"], r["N_rater"]) == (6, 4)


def test_two_way_random_matches_the_manual(stata) -> None:  # type: ignore[no-untyped-def]
    run = stata(_long() + "icc rating target judge")
    r, m = run.session.r.scalars, run.session.r.macros
    got = [r[k] for k in ("icc_i", "icc_i_lb", "icc_i_ub", "icc_avg", "icc_avg_lb",
                          "icc_avg_ub")]
    np.testing.assert_allclose(got, [.2897638, .0187865, .7610844, .6200505, .0711368, .927232],
                               atol=6e-7)
    assert m["type"] == "absolute"
    assert m["model"] == "two-way random effects"
    assert "Absolute agreement" in run.log


@pytest.mark.parametrize(("options", "oneway", "absolute"), [
    ("", True, False), ("judge", False, True), ("judge, consistency", False, False),
    ("judge, mixed", False, False), ("judge, mixed absolute", False, True),
    ("judge, level(90)", False, True), ("judge, testvalue(0.2)", False, True),
    ("judge, mixed testvalue(.3)", False, False), (", testvalue(-.1)", True, False)])
def test_formulas_of_mcgraw_and_wong(stata, options, oneway, absolute) -> None:  # type: ignore[no-untyped-def]
    run = stata(_long() + f"icc rating target {options}")
    assert run.rc == 0, run.log
    r = run.session.r.scalars
    want = reference_icc(JUDGES, oneway=oneway, absolute=absolute, level=r["level"],
                         r0=r["testvalue"])
    np.testing.assert_allclose([r[k] for k in want], list(want.values()), rtol=1e-9)


@pytest.mark.parametrize(("text", "rc"), [
    ("icc rating target, mixed", 198),
    ("icc rating target judge, absolute consistency", 198),
    ("drop in 1\nicc rating target judge", 459),
    ("drop in 1\nicc rating target", 459),
])
def test_errors(stata, text, rc) -> None:  # type: ignore[no-untyped-def]
    run = stata(_long() + text)
    assert run.rc == rc, run.log
