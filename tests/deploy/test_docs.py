"""docs/deploy.md lists every variable exactly as libs/settings.py defines it today."""

from __future__ import annotations

import re

from libs.settings import markdown_table
from tests.deploy.dockerfile import REPO

DEPLOY = REPO / "docs" / "deploy.md"


def test_variable_table_is_the_generated_one() -> None:
    match = re.search(
        r"<!-- settings:begin -->\n(.*?)\n<!-- settings:end -->", DEPLOY.read_text(), re.S
    )
    assert match, "docs/deploy.md lost its settings markers"
    assert match.group(1).strip() == markdown_table().strip(), (
        "docs/deploy.md is stale: paste the output of `python -m libs.settings` between the "
        "settings markers"
    )
