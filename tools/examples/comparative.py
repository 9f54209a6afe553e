"""Generated example for comparative case studies: one treated state among many (synthetic
control). Fixed seed, documented data-generating process (do_library/examples/README.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The treated state, the year its policy starts, and the states (and weights) whose mix
#: it is built from: a synthetic control reproducing it exists in the donor pool.
TREATED, POLICY_YEAR = 1, 1995
MIX = {5: 0.45, 12: 0.35, 21: 0.20}


def tobacco_tax() -> pd.DataFrame:
    """State-by-year panel, 30 states × 1975–2004 (900 rows); state 1 raises its tobacco tax
    in 1995.

    Linear factor model. Year effects g_t = −1.2·(t − 1975); two common factors, f1_t a
    random walk with N(0, 1.5²) steps and f2_t = 2·sin((t − 1975)/4) + N(0, 0.3²). Each donor
    state s = 2..30 has a level a_s ~ N(0, 10²) and loadings λ1_s ~ U(0.5, 1.5),
    λ2_s ~ U(−2, 2); state 1's level and loadings are 0.45·(state 5) + 0.35·(state 12) +
    0.20·(state 21), so that mix of donors reproduces its untreated path. Covariates:
    ``lnincome`` = 9.7 + 0.15·λ1_s + 0.012·(t − 1975) + N(0, 0.02²), ``retprice`` = 40 +
    3·(t − 1975) + 4·λ2_s + N(0, 2²), ``age15to24`` = 0.19 − 0.002·(t − 1975) + 0.01·λ2_s
    + N(0, 0.003²) (state 1's drawn from its loadings like every state's, its price 10 higher
    throughout: no mix of donors matches every predictor exactly). Outcome, packs per
    head: ``cigsale`` = 130 + a_s + g_t + 8·λ1_s·f1_t + 5·λ2_s·f2_t + N(0, 1.5²), minus the
    policy effect 4 + 1.5·(t − 1995) in state 1 from 1995 on (4 in 1995, 17.5 in 2004;
    average 10.75 over 1995–2004). ``treated`` = 1 for state 1.
    """
    rng = np.random.default_rng(1995)
    states, years = np.arange(1, 31), np.arange(1975, 2005)
    trend = years - 1975
    f1 = np.cumsum(rng.normal(0, 1.5, years.size))
    f2 = 2 * np.sin(trend / 4) + rng.normal(0, 0.3, years.size)
    level = rng.normal(0, 10, states.size)
    lam1 = rng.uniform(0.5, 1.5, states.size)
    lam2 = rng.uniform(-2, 2, states.size)
    for values in (level, lam1, lam2):
        values[TREATED - 1] = sum(w * values[s - 1] for s, w in MIX.items())
    shape = (states.size, years.size)
    lnincome = (9.7 + 0.15 * lam1[:, None] + 0.012 * trend[None, :]
                + rng.normal(0, 0.02, shape))
    retprice = 40 + 3 * trend[None, :] + 4 * lam2[:, None] + rng.normal(0, 2, shape)
    retprice[TREATED - 1] += 10
    young = 0.19 - 0.002 * trend[None, :] + 0.01 * lam2[:, None] + rng.normal(0, 0.003, shape)
    cigsale = (130 + level[:, None] - 1.2 * trend[None, :] + 8 * lam1[:, None] * f1[None, :]
               + 5 * lam2[:, None] * f2[None, :] + rng.normal(0, 1.5, shape))
    effect = np.where(years >= POLICY_YEAR, 4 + 1.5 * (years - POLICY_YEAR), 0.0)
    cigsale[TREATED - 1] -= effect
    return pd.DataFrame({
        "state": np.repeat(states, years.size),
        "year": np.tile(years, states.size),
        "treated": np.repeat((states == TREATED).astype(int), years.size),
        "cigsale": np.round(cigsale.ravel(), 1),
        "lnincome": np.round(lnincome.ravel(), 4),
        "retprice": np.round(retprice.ravel(), 1),
        "age15to24": np.round(young.ravel(), 4),
    })
