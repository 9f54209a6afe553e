"""What the API serves per template: parameters as JSON Schema and an example request."""

from __future__ import annotations

import subprocess
import sys

import jsonschema
import msgspec
import pytest

from libs.contracts.jobs import JobSpec
from libs.templates import example_request, load_catalogue, parameters_json_schema

CATALOGUE = load_catalogue()


@pytest.mark.parametrize("meta", CATALOGUE.templates(), ids=lambda m: m.id)
def test_example_request_is_a_job_spec_and_fits_the_schema(meta: object) -> None:
    schema = parameters_json_schema(meta)  # type: ignore[arg-type]
    jsonschema.Draft202012Validator.check_schema(schema)
    request = example_request(meta)  # type: ignore[arg-type]
    spec = msgspec.convert(request, JobSpec)
    jsonschema.Draft202012Validator(schema).validate(spec.params)


def test_schema_describes_types_bounds_and_columns() -> None:
    schema = parameters_json_schema(CATALOGUE.get("event_study"))
    props = schema["properties"]
    assert schema["required"] == ["depvar", "eventvar", "panelvar", "timevar"]
    assert props["leads"] == {
        "description": props["leads"]["description"],
        "type": "integer",
        "minimum": 2,
        "maximum": 10,
        "default": 3,
    }
    assert props["depvar"]["x-ss-var-type"] == "numeric"
    validator = jsonschema.Draft202012Validator(schema)
    bad = {"depvar": "y; shell", "eventvar": "e", "panelvar": "i", "timevar": "t", "x": 1}
    messages = " ".join(e.message for e in validator.iter_errors(bad))
    assert "does not match" in messages
    assert "Additional properties" in messages
    merge = parameters_json_schema(CATALOGUE.get("merge_datasets"))["properties"]
    assert merge["keys"]["x-ss-inputs"] == ["main", "using"]
    assert merge["kind"]["enum"] == ["1:1", "m:1", "1:m"]


def test_the_api_side_imports_no_numeric_stack() -> None:
    # The api image has no pandas: catalogue, validation, schema and policy must not need it.
    code = (
        "import sys, libs.templates as t; t.load_catalogue(); "
        "bad = [m for m in ('pandas', 'numpy', 'scipy') if m in sys.modules]; "
        "sys.exit(', '.join(bad) or None)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
