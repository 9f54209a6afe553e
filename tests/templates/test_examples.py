"""The bundled example: do_library/examples/auto.csv and the ols_robust request the stack runs."""

from __future__ import annotations

import pandas as pd

from libs.templates import check_shape, example_request, load_catalogue, validate_params
from libs.templates.catalogue import DEFAULT_ROOT
from libs.templates.frame import FrameProbe
from tests.templates.fixtures import auto_frame

AUTO_CSV = DEFAULT_ROOT / "examples" / "auto.csv"


def test_auto_csv_is_the_deterministic_generator_output() -> None:
    on_disk = pd.read_csv(AUTO_CSV)
    expected = auto_frame()
    assert list(on_disk.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(on_disk, expected, check_dtype=False)
    assert len(on_disk) == 74
    assert on_disk["make"].is_unique
    assert on_disk["rep78"].isna().sum() == 5


def test_example_request_of_ols_robust_fits_the_bundled_data() -> None:
    meta = load_catalogue().get("ols_robust")
    request = example_request(meta)
    data = pd.read_csv(AUTO_CSV)
    params = validate_params(meta, request["params"], FrameProbe(data).columns())
    assert params.values == {"depvar": "price", "indepvars": ["mpg", "weight"], "level": 95}
    check_shape(meta, params, FrameProbe(data))
