"""Generated example table of discrete choices, ratings and counts (limited dependent variables).

Drawn from ``numpy.random.default_rng(600)`` only; the docstring is the data-generating
process (do_library/examples/README.md repeats it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def commute() -> pd.DataFrame:
    """600 commuters: travel mode (nominal), satisfaction (ordinal) and weekly trips (count).

    ``age`` ~ U{18..70}; ``income`` (USD thousand) ~ lognormal(ln 50, 0.5²); ``distance``
    (km) ~ Gamma(2, 5); ``cars`` ~ Poisson(1.2) capped at 4. ``mode`` (1 car, 2 public
    transport, 3 bicycle or foot) maximises the utility U_j + Gumbel error (a multinomial
    logit) with U_car = 0, U_transit = 0.8 − 0.7·cars + 0.02·distance − 0.01·income,
    U_bike = 2.5 − 0.25·distance − 0.6·cars − 0.02·(age − 40). ``satisfaction`` (1–5) cuts
    −0.05·distance + 0.9·[mode = 3] + 0.01·income + logistic error at −1.2, 0, 1.2, 2.4
    (an ordered logit). ``trips`` ~ NB2 with mean exp(0.2 + 0.008·income − 0.01·(age − 40)
    + 0.3·cars) and dispersion α = 0.8 (Poisson with a Gamma(1/α, α) multiplier).
    """
    rng = np.random.default_rng(600)
    n = 600
    age = rng.integers(18, 71, n)
    income = np.round(rng.lognormal(np.log(50), 0.5, n), 1)
    distance = np.round(rng.gamma(2, 5, n), 1)
    cars = np.minimum(rng.poisson(1.2, n), 4)
    utility = np.column_stack([
        np.zeros(n),
        0.8 - 0.7 * cars + 0.02 * distance - 0.01 * income,
        2.5 - 0.25 * distance - 0.6 * cars - 0.02 * (age - 40),
    ]) + rng.gumbel(0, 1, (n, 3))
    mode = utility.argmax(axis=1) + 1
    latent = -0.05 * distance + 0.9 * (mode == 3) + 0.01 * income + rng.logistic(0, 1, n)
    satisfaction = np.digitize(latent, [-1.2, 0.0, 1.2, 2.4]) + 1
    mean = np.exp(0.2 + 0.008 * income - 0.01 * (age - 40) + 0.3 * cars)
    alpha = 0.8
    trips = rng.poisson(mean * rng.gamma(1 / alpha, alpha, n))
    return pd.DataFrame(
        {
            "person": np.arange(1, n + 1),
            "age": age,
            "income": income,
            "distance": distance,
            "cars": cars,
            "mode": mode,
            "satisfaction": satisfaction,
            "trips": trips,
        }
    )
