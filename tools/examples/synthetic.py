"""Generated example tables: fixed seeds, documented data-generating processes.

Every function draws from ``numpy.random.default_rng(<its seed>)`` only, so the committed
CSV is reproducible; values are rounded so nothing hinges on the last bits of a float. The
docstring of each function is its data-generating process (do_library/examples/README.md
repeats them for readers of the library).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def minimum_wage() -> pd.DataFrame:
    """Two-period policy sample (difference in differences), 200 stores × 2 periods.

    Stores 1–120 are in the state that raises its minimum wage (``treated`` = 1), 121–200
    in the neighbour state. ``chain`` ∈ 1..4. Full-time equivalent employment
    ``fte = 20 + a_store + 0.8·chain − 1.0·post + 0.5·treated + 2.5·treated·post + e``
    with a_store ~ N(0, 4²), e ~ N(0, 2²): the true DiD effect is 2.5.
    """
    rng = np.random.default_rng(2024)
    stores = 200
    store = np.repeat(np.arange(1, stores + 1), 2)
    treated = np.repeat((np.arange(1, stores + 1) <= 120).astype(int), 2)
    post = np.tile([0, 1], stores)
    chain = np.repeat(rng.integers(1, 5, stores), 2)
    a_store = np.repeat(rng.normal(0, 4, stores), 2)
    fte = (
        20
        + a_store
        + 0.8 * chain
        - 1.0 * post
        + 0.5 * treated
        + 2.5 * treated * post
        + rng.normal(0, 2, 2 * stores)
    )
    return pd.DataFrame(
        {
            "store": store,
            "treated": treated,
            "post": post,
            "chain": chain,
            "fte": np.round(fte, 2),
        }
    )


def policy_panel() -> pd.DataFrame:
    """Staggered-adoption state panel: 40 states × 2000–2011 (480 rows).

    States adopt the policy in 2004 (states 1–10), 2006 (11–20), 2008 (21–30) or never
    (31–40, ``adopt_year`` missing); ``policy`` = 1 from the adoption year on. With state
    effects a_s ~ N(0, 2²), year effects g_t = 0.3·(t − 2000) + N(0, 0.5²), a control
    ``income = 10 + 0.5·a_s + N(0, 1)``, the outcome is
    ``outcome = a_s + g_t + 0.4·income + (1 + 0.25·e)·policy + N(0, 1)`` where e = t − adoption
    year: effects grow with time since adoption (1.0 in the adoption year).
    """
    rng = np.random.default_rng(2000)
    states, years = 40, np.arange(2000, 2012)
    state = np.repeat(np.arange(1, states + 1), len(years))
    year = np.tile(years, states)
    cohort = np.repeat([2004.0, 2006.0, 2008.0, np.nan], 10)
    adopt = np.repeat(cohort, len(years))
    a_s = np.repeat(rng.normal(0, 2, states), len(years))
    g_t = np.tile(0.3 * (years - 2000) + rng.normal(0, 0.5, len(years)), states)
    income = 10 + 0.5 * a_s + rng.normal(0, 1, len(state))
    policy = (~np.isnan(adopt) & (year >= adopt)).astype(int)
    since = np.where(policy == 1, year - np.nan_to_num(adopt), 0)
    outcome = a_s + g_t + 0.4 * income + (1 + 0.25 * since) * policy
    outcome += rng.normal(0, 1, len(state))
    return pd.DataFrame(
        {
            "state": state,
            "year": year,
            "adopt_year": pd.array(adopt, dtype="Int64"),
            "policy": policy,
            "income": np.round(income, 3),
            "outcome": np.round(outcome, 3),
        }
    )


def blood_pressure() -> pd.DataFrame:
    """Paired before/after sample: systolic blood pressure of 60 patients (whole mmHg).

    ``sbp_before`` ~ N(150, 15²); ``sbp_after = sbp_before − 6 + N(0, 10²)``, both rounded,
    so ties and zero differences occur as in real readings; ``age`` ~ U{35..80},
    ``female`` ~ Bernoulli(0.5); ``hyper_before``/``hyper_after`` = reading ≥ 140 (paired 0/1).
    """
    rng = np.random.default_rng(60)
    n = 60
    before = np.round(rng.normal(150, 15, n))
    after = np.round(before - 6 + rng.normal(0, 10, n))
    return pd.DataFrame(
        {
            "patient": np.arange(1, n + 1),
            "age": rng.integers(35, 81, n),
            "female": rng.integers(0, 2, n),
            "sbp_before": before.astype(int),
            "sbp_after": after.astype(int),
            "hyper_before": (before >= 140).astype(int),
            "hyper_after": (after >= 140).astype(int),
        }
    )


def job_training() -> pd.DataFrame:
    """Treatment/control sample with covariates for matching: 600 people, a training offer.

    Covariates: ``age`` ~ U{18..55}, ``educ`` ~ U{8..16} years, ``black``, ``hispanic``,
    ``married`` Bernoulli(0.25/0.15/0.4), ``nodegree`` = educ < 12, earnings ``re74``/``re75``
    = 0 with probability 0.3, else lognormal(ln 9000 + 0.04·(educ − 12), 0.6). Selection:
    P(treat) = logistic(−0.3 − 0.04·(age − 30) − 0.15·(educ − 12) + 0.6·black + 0.5·nodegree
    − 0.00004·re75). Outcome ``re78 = max(0, 1000 + 0.6·re75 + 300·(educ − 12) + 1500·treat
    + N(0, 3000²))`` — the effect of training is 1500 — and ``employed78`` = re78 > 0.
    """
    rng = np.random.default_rng(1978)
    n = 600
    age = rng.integers(18, 56, n)
    educ = rng.integers(8, 17, n)
    black = (rng.uniform(size=n) < 0.25).astype(int)
    hispanic = ((rng.uniform(size=n) < 0.15) & (black == 0)).astype(int)
    married = (rng.uniform(size=n) < 0.4).astype(int)
    nodegree = (educ < 12).astype(int)

    def earnings() -> np.ndarray:
        level = rng.lognormal(np.log(9000) + 0.04 * (educ - 12), 0.6)
        return np.where(rng.uniform(size=n) < 0.3, 0.0, np.round(level))

    re74, re75 = earnings(), earnings()
    index = -0.3 - 0.04 * (age - 30) - 0.15 * (educ - 12) + 0.6 * black + 0.5 * nodegree
    treat = (rng.uniform(size=n) < 1 / (1 + np.exp(-(index - 0.00004 * re75)))).astype(int)
    re78 = 1000 + 0.6 * re75 + 300 * (educ - 12) + 1500 * treat + rng.normal(0, 3000, n)
    re78 = np.round(np.maximum(re78, 0))
    return pd.DataFrame(
        {
            "person": np.arange(1, n + 1),
            "treat": treat,
            "age": age,
            "educ": educ,
            "black": black,
            "hispanic": hispanic,
            "married": married,
            "nodegree": nodegree,
            "re74": re74,
            "re75": re75,
            "re78": re78,
            "employed78": (re78 > 0).astype(int),
        }
    )
