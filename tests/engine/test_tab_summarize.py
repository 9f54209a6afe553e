"""``tabulate varname, summarize(var)`` as [R] tabulate, summarize() describes it: means,
standard deviations and frequencies of ``var`` by level, a Total row, ``[no]means
[no]standard [no]freq [no]obs nolabel missing``. The layout follows Stata's printed tables
(published logs): the title centred over the statistics, the odd space on the left
(``|        Summary of Congruence``), a long label wrapped (``|  Summary of Prescriptions
per 100`` / ``|               persons``), a level with one observation shown with standard
deviation 0. Numbers are checked against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def test_means_sds_and_counts_against_pandas(stata, tmp_path):
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"g": rng.integers(1, 5, 300), "y": rng.normal(3, 2, 300)})
    df.loc[rng.random(300) < .1, "y"] = np.nan
    df.loc[df.index[:2], "g"] = 9  # a level with two rows, one of them missing y
    df.loc[df.index[0], "y"] = np.nan
    df.loc[df.index[1], "y"] = 1.5
    df.to_csv(tmp_path / "d.csv", index=False)
    r = stata("""
        import delimited d.csv, clear asdouble
        tabulate g, summarize(y)
    """)
    assert r.rc == 0, r.log
    d = df.dropna(subset=["y"])
    rows = {line.split("|")[0].strip(): line.split("|")[1].split() for line in r.output
            if "|" in line and line.split("|")[0].strip() not in ("", "g")}
    for level, grp in d.groupby("g"):
        mean, sd, freq = rows[str(level)]
        assert float(mean) == pytest.approx(grp.y.mean(), rel=1e-7)
        assert float(sd) == pytest.approx(grp.y.std() if len(grp) > 1 else 0.0, abs=1e-7)
        assert int(freq.replace(",", "")) == len(grp)
    assert rows["9"][1] == "0"  # one observation: Stata prints sd 0
    mean, sd, freq = rows["Total"]
    assert (float(mean), float(sd), int(freq)) == pytest.approx((d.y.mean(), d.y.std(), len(d)),
                                                               rel=1e-7)
    assert not r.session.r.scalars  # Stata stores no r() here


def test_layout_title_centring_wrapping_and_options(stata):
    r = stata("""
        clear
        input byte t double x
        1 .5
        1 .6
        2 2
        end
        label define tl 1 "DMP" 2 "RL"
        label values t tl
        label variable t "PlayerType"
        rename x Congruence
        tabulate t, summarize(Congruence)
        label variable Congruence "Prescriptions per 100 persons"
        tabulate t, summarize(Congruence)
        tabulate t, summarize(Congruence) nomeans nostandard obs nolabel
    """)
    assert r.rc == 0, r.log
    out = r.output[r.output.index("            |        Summary of Congruence"):]
    assert out[:3] == [
        "            |        Summary of Congruence",
        " PlayerType |        Mean   Std. dev.       Freq.",
        "------------+------------------------------------",
    ]
    assert out[3] == "        DMP |         .55   .07071068           2"
    assert out[4] == "         RL |           2           0           1"
    assert out[7:10] == [
        "            |  Summary of Prescriptions per 100",
        "            |               persons",
        " PlayerType |        Mean   Std. dev.       Freq.",
    ]
    assert out[-6:-4] == [" PlayerType |       Freq.        Obs.", "-" * 12 + "+" + "-" * 24]
    assert out[-4] == "          1 |           2           2"
