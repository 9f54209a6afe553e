"""Generated example tables of labour-market outcomes: a wage observed only for those who work
(sample selection) with a fraction of pay saved in a pension plan (fractional response), and a
panel of yearly employment (a binary outcome with individual effects).

Drawn from ``numpy.random.default_rng`` with the seed each builder names; each builder's
docstring is its data-generating process (do_library/examples/README.md repeats it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def labour() -> pd.DataFrame:
    """800 adults: participation, log hourly wage when working, pension contribution share.

    ``age`` ~ U{25..60}; ``educ`` (years) ~ U{8..18}; ``kids`` (children under six) ~
    Poisson(0.5) capped at 3; ``married`` ~ Bernoulli(0.6); ``nonlabinc`` (other household
    income, USD thousand) ~ Gamma(2, 10) if married else Gamma(1, 5). Work ``works`` = 1 when
    0.5 + 0.12·(educ − 12) − 0.03·(age − 40) − 0.6·kids − 0.02·nonlabinc + 0.3·married + u > 0;
    ``lwage`` = 2.6 + 0.08·(educ − 12) + 0.03·exper − 0.0006·exper² + e, observed only when
    works = 1, with exper = age − educ − 6 (``exper`` is stored); (u, e) bivariate normal with
    sd 1 and 0.45 and correlation 0.5 (selection on unobservables: the wage of workers is
    higher than the population's). ``pension_share`` (of pay, workers only) is 0 with
    probability 0.15, else Beta with mean logistic(−2.2 + 0.08·(educ − 12) + 0.03·(age − 40)
    + 0.4·married) and precision 20, rounded to 0.001. The kids and nonlabinc effects on
    participation only are the exclusion restrictions of a selection model.
    """
    rng = np.random.default_rng(1976)
    n = 800
    age = rng.integers(25, 61, n)
    educ = rng.integers(8, 19, n)
    kids = np.minimum(rng.poisson(0.5, n), 3)
    married = (rng.uniform(size=n) < 0.6).astype(int)
    nonlabinc = np.round(np.where(married == 1, rng.gamma(2, 10, n), rng.gamma(1, 5, n)), 1)
    exper = age - educ - 6
    errors = rng.multivariate_normal([0, 0], [[1, 0.5 * 0.45], [0.5 * 0.45, 0.45**2]], n)
    index = (0.5 + 0.12 * (educ - 12) - 0.03 * (age - 40) - 0.6 * kids - 0.02 * nonlabinc
             + 0.3 * married)
    works = (index + errors[:, 0] > 0).astype(int)
    lwage = 2.6 + 0.08 * (educ - 12) + 0.03 * exper - 0.0006 * exper**2 + errors[:, 1]
    mean = 1 / (1 + np.exp(-(-2.2 + 0.08 * (educ - 12) + 0.03 * (age - 40) + 0.4 * married)))
    share = rng.beta(mean * 20, (1 - mean) * 20)
    share = np.where(rng.uniform(size=n) < 0.15, 0.0, np.round(share, 3))
    return pd.DataFrame(
        {
            "person": np.arange(1, n + 1),
            "age": age,
            "educ": educ,
            "exper": exper,
            "kids": kids,
            "married": married,
            "nonlabinc": nonlabinc,
            "works": works,
            "lwage": pd.Series(np.round(lwage, 4)).where(works == 1),
            "pension_share": pd.Series(share).where(works == 1),
        }
    )


def employment_panel() -> pd.DataFrame:
    """250 women observed yearly 2015–2020: employment, young children, other income.

    Each woman has a persistent taste for work a_i ~ N(0, 1.5²); ``age`` in 2015 ~ U{22..45},
    then one more each year; ``kids`` (under six) starts Poisson(0.6) capped at 3 and gains a
    birth with probability 0.12 a year (still capped at 3); ``nonlabinc`` (other household
    income, USD thousand) = exp(2.5 − 0.25·a_i + N(0, 0.3²)), rounded to 0.1, so it is
    correlated with the taste for work. ``works`` = 1 when 0.3 + a_i − 0.7·kids −
    0.03·nonlabinc + 0.05·(year − 2015) + logistic error > 0: a fixed-effects logit with slopes
    −0.7 (kids) and −0.03 (nonlabinc); a pooled logit is biased by the omitted a_i.
    """
    rng = np.random.default_rng(2015)
    women, years = 250, np.arange(2015, 2021)
    taste = rng.normal(0, 1.5, women)
    age0 = rng.integers(22, 46, women)
    kids = np.empty((women, years.size), dtype=int)
    kids[:, 0] = np.minimum(rng.poisson(0.6, women), 3)
    for t in range(1, years.size):
        kids[:, t] = np.minimum(kids[:, t - 1] + (rng.uniform(size=women) < 0.12), 3)
    income = np.round(np.exp(2.5 - 0.25 * taste[:, None]
                             + rng.normal(0, 0.3, (women, years.size))), 1)
    index = (0.3 + taste[:, None] - 0.7 * kids - 0.03 * income
             + 0.05 * (years - 2015)[None, :])
    works = (index + rng.logistic(0, 1, (women, years.size)) > 0).astype(int)
    return pd.DataFrame(
        {
            "person": np.repeat(np.arange(1, women + 1), years.size),
            "year": np.tile(years, women),
            "age": (age0[:, None] + (years - 2015)[None, :]).ravel(),
            "kids": kids.ravel(),
            "nonlabinc": income.ravel(),
            "works": works.ravel(),
        }
    )
