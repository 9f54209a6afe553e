"""Every template runs as shipped: its example request on the bundled data, checked.

The example request (``example_request``: the parameters' example values, each input mapped
to a file of ``do_library/examples/``) is run the way the worker runs a job — the bundled
files read by ``libs.datasets``, parameters validated against their columns, the shape
checked, the do-file rendered and run on the embedded engine — and its key numbers are
compared with an independent computation on the same files read by pandas.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from libs.templates import load_catalogue
from tests.templates.cases import EXAMPLE_CHECKS
from tests.templates.support import example_data, run_example
from tools.examples import BUILDERS, FOLDER, csv_text

TEMPLATES = [m.id for m in load_catalogue().templates()]


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_bundled_file_is_its_builder_output(name: str) -> None:
    assert (FOLDER / name).read_text(encoding="utf-8") == csv_text(BUILDERS[name]()), (
        f"do_library/examples/{name} is stale: run python -m tools.examples"
    )


def test_every_bundled_file_is_built_documented_and_small() -> None:
    on_disk = {p.name for p in FOLDER.iterdir() if p.suffix == ".csv"}
    assert on_disk == set(BUILDERS)
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    for name in BUILDERS:
        assert f"`{name}`" in readme, f"{name} is not described in the README"
        assert (FOLDER / name).stat().st_size < 256 * 1024, name


def test_every_template_example_has_an_independent_check() -> None:
    assert sorted(EXAMPLE_CHECKS) == TEMPLATES


@pytest.mark.parametrize("template_id", TEMPLATES)
def test_example_runs_as_shipped_and_matches_independent_numbers(
    template_id: str, tmp_path: Path
) -> None:
    results, params = run_example(template_id, tmp_path)
    check = EXAMPLE_CHECKS.get(template_id)
    if check is not None:  # a missing check fails the test above, not the run
        check(results, example_data(template_id), params.values)
