"""The auto-like cross-section (do_library/examples/auto.csv), generated from a fixed seed."""

from __future__ import annotations

import numpy as np
import pandas as pd

_DOMESTIC = [
    "AMC",
    "Buick",
    "Cad.",
    "Chev.",
    "Dodge",
    "Ford",
    "Linc.",
    "Merc.",
    "Olds",
    "Plym.",
    "Pont.",
]
_FOREIGN = [
    "Audi",
    "BMW",
    "Datsun",
    "Fiat",
    "Honda",
    "Mazda",
    "Peugeot",
    "Renault",
    "Subaru",
    "Toyota",
    "VW",
    "Volvo",
]


def auto_frame() -> pd.DataFrame:
    """An auto-like dataset: 74 car models of 1978, 52 domestic and 22 foreign.

    Same variables, ranges and relations as Stata's auto.dta (heavier cars are longer, thirstier
    and dearer; foreign cars lighter), generated from a fixed seed: this is what
    ``do_library/examples/auto.csv`` holds.
    """
    rng = np.random.default_rng(1978)
    foreign = np.array([0] * 52 + [1] * 22)
    weight = np.where(foreign == 1, rng.normal(2300, 400, 74), rng.normal(3300, 650, 74))
    weight = np.clip(np.round(weight / 10) * 10, 1760, 4840).astype(int)
    length = np.clip(np.round(80 + 0.036 * weight + rng.normal(0, 6, 74)), 142, 233).astype(int)
    turn = np.clip(np.round(20 + 0.0055 * weight + rng.normal(0, 1.8, 74)), 31, 51).astype(int)
    displacement = np.clip(np.round(-150 + 0.12 * weight + rng.normal(0, 30, 74)), 79, 425)
    mpg = np.clip(np.round(45 - 0.0068 * weight + 2 * foreign + rng.normal(0, 2.5, 74)), 12, 41)
    gear_ratio = np.round(
        np.clip(3.9 - 0.00035 * weight + 0.35 * foreign + rng.normal(0, 0.15, 74), 2.19, 3.89), 2
    )
    headroom = np.clip(np.round((1.5 + 0.0004 * weight + rng.normal(0, 0.6, 74)) * 2) / 2, 1.5, 5)
    trunk = np.clip(np.round(2 + 0.0037 * weight + rng.normal(0, 3, 74)), 5, 23).astype(int)
    price = np.round(
        np.clip(
            2400
            + 1.6 * (weight - 1760)
            - 90 * (mpg - 20)
            + 2600 * foreign
            + rng.gamma(2.0, 600, 74),
            3291,
            15906,
        )
    ).astype(int)
    rep78 = np.clip(np.round(2.8 + 1.2 * foreign + rng.normal(0, 0.9, 74)), 1, 5)
    rep78[rng.choice(74, 5, replace=False)] = np.nan
    brands = [(_FOREIGN if f else _DOMESTIC)[rng.integers(0, 11 + f)] for f in foreign]
    make = [f"{brand} {chr(65 + i % 26)}{100 + i}" for i, brand in enumerate(brands)]
    return pd.DataFrame(
        {
            "make": pd.Series(make, dtype="str"),
            "price": price,
            "mpg": mpg.astype(int),
            "rep78": rep78,
            "headroom": headroom,
            "trunk": trunk,
            "weight": weight,
            "length": length,
            "turn": turn,
            "displacement": displacement.astype(int),
            "gear_ratio": gear_ratio,
            "foreign": foreign,
        }
    )
