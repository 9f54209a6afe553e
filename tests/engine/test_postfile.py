"""``postfile``/``post``/``postclose`` as [P] postfile states them: "postfile declares the
variable names and the filename of a (new) Stata dataset where results will be stored"; "post
adds a new observation to the declared dataset"; "postclose declares an end to the posting of
observations". Types come before names (``str12 name``, ``double(a b)``) and default to
float. The file is read back with pandas (an independent .dta reader); slopes against numpy."""

from __future__ import annotations

import numpy as np
import pandas as pd


def test_posted_results_are_a_dta_file_pandas_reads(stata, tmp_path):
    r = stata("""
        clear
        set obs 40
        gen g = 1 + (_n > 20)
        gen x = mod(_n * 7, 11)
        gen y = 1 + g * x + mod(_n, 3)
        tempname h
        postfile `h' str5 label double(slope n) third using results, replace
        forvalues k = 1/2 {
            quietly regress y x if g == `k'
            post `h' ("g`k'") (_b[x]) (e(N)) (1/3)
        }
        postclose `h'
        use results, clear
        describe
    """)
    assert r.rc == 0, r.log
    frame = pd.read_stata(tmp_path / "results.dta")
    assert list(frame.columns) == ["label", "slope", "n", "third"]
    assert list(frame["label"]) == ["g1", "g2"]
    n = np.arange(1, 41)
    g, x = 1 + (n > 20), (n * 7) % 11
    y = 1 + g * x + n % 3
    for k in (1, 2):
        slope = np.polyfit(x[g == k], y[g == k], 1)[0]
        assert abs(frame["slope"][k - 1] - slope) < 1e-12  # double keeps every digit
    assert list(frame["n"]) == [20.0, 20.0]
    assert frame["third"].dtype == np.float32  # the default type is float
    assert frame["third"][0] == np.float32(1 / 3)
    types = {ln.split()[0]: ln.split()[1] for ln in r.output if ln[:1].isalpha() and
             len(ln.split()) > 1 and ln.split()[0] in frame.columns}
    assert types == {"label": "str5", "slope": "double", "n": "double", "third": "float"}


def test_postfile_errors(stata, tmp_path):
    (tmp_path / "taken.dta").write_bytes(b"")
    assert stata("postfile h a using taken").rc == 602  # exists, no replace
    assert stata("postfile h a using f\npostfile h b using g").rc == 110
    assert stata("post nosuch (1)").rc == 111
    assert stata("postfile h a b using f\npost h (1)").rc == 198
    assert stata('postfile h a using f\npost h ("text")').rc == 109
    assert stata("postfile h str3 s using f\npost h (1)").rc == 109
    assert stata("postfile h a using f, bogus").rc == 198
    assert stata("postclose h").rc == 111
