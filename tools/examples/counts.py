"""Generated example table of a count outcome with excess zeros (zero-inflated counts).

Drawn from ``numpy.random.default_rng`` with the seed the builder names; its docstring is the
data-generating process (do_library/examples/README.md repeats it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def park_visits() -> pd.DataFrame:
    """500 groups visiting a state park: fish caught, with many groups that never fished.

    ``persons`` ~ U{1..4}; ``child`` ~ Binomial(persons − 1, 0.4); ``camper`` ~
    Bernoulli(0.55); ``livebait`` ~ Bernoulli(0.7); ``hours`` (in the park) ~ Gamma(2, 2)
    rounded to 0.1, at least 0.2. A group did not fish (a structural zero) with probability
    logistic(−0.3 + 1.1·child − 0.9·camper − 0.25·persons); otherwise ``count`` ~ negative
    binomial (NB2) with mean hours·exp(−1.0 + 1.2·livebait + 0.35·persons − 0.8·child) and
    α = 0.6.
    """
    rng = np.random.default_rng(2026)
    n = 500
    persons = rng.integers(1, 5, n)
    child = rng.binomial(persons - 1, 0.4)
    camper = (rng.uniform(size=n) < 0.55).astype(int)
    livebait = (rng.uniform(size=n) < 0.7).astype(int)
    hours = np.maximum(np.round(rng.gamma(2, 2, n), 1), 0.2)
    no_fishing = rng.uniform(size=n) < 1 / (1 + np.exp(-(-0.3 + 1.1 * child - 0.9 * camper
                                                        - 0.25 * persons)))
    mu = hours * np.exp(-1.0 + 1.2 * livebait + 0.35 * persons - 0.8 * child)
    alpha = 0.6
    caught = rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu))
    count = np.where(no_fishing, 0, caught)
    return pd.DataFrame({"group": np.arange(1, n + 1), "count": count, "persons": persons,
                         "child": child, "camper": camper, "livebait": livebait,
                         "hours": hours})
