"""Regenerate the published JSON Schemas from the msgspec types.

    .venv/bin/python docs/schemas/generate.py

tests/reports/test_data_outputs.py fails when a committed schema is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from libs.reports.renderers.jsondoc import results_schema  # noqa: E402


def main() -> None:
    """Write results.schema.json beside this file."""
    text = json.dumps(results_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    (HERE / "results.schema.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
