"""Damaged copies of good files: read, or refused with a DatasetError; never anything else."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from libs.datasets import DatasetError, Limits, normalise_to_dta
from tests.datasets import corpus_dta, corpus_excel  # noqa: F401  (register their cases)
from tests.datasets.corpus import CASES

#: One good file per reader.
SOURCES = [
    "csv-utf-8-utf-8",
    "xlsx-basic-formula-cached",
    "xls-basic-hidden-formula",
    "dta-118-pandas",
    "dta-110-handmade",
    "csv-chinese-gb18030",
]
VARIANTS = 40


def _damage(data: bytes, rng: random.Random) -> bytes:
    how = rng.choice(["truncate", "flip", "splice"])
    if how == "truncate":
        return data[: rng.randrange(1, len(data))]
    if how == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    cut = rng.randrange(len(data))
    return data[:cut] + rng.randbytes(rng.randint(1, 64)) + data[cut:]


@pytest.mark.parametrize("source", SOURCES)
def test_damaged_inputs_never_escape_as_other_exceptions(source: str, tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == source)
    good = tmp_path / "good"
    case.make(good)
    data = good.read_bytes()
    rng = random.Random(source)
    outcomes: dict[str, int] = {}
    for i in range(VARIANTS):
        bad = tmp_path / f"bad{i}"
        bad.write_bytes(_damage(data, rng))
        try:
            normalise_to_dta(bad, tmp_path / f"out{i}.dta", filename=case.filename, limits=Limits())
            outcomes["read"] = outcomes.get("read", 0) + 1
        except DatasetError as exc:
            outcomes[exc.code] = outcomes.get(exc.code, 0) + 1
    assert sum(outcomes.values()) == VARIANTS
