"""What the API serves per template: parameters as JSON Schema and an example request."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import msgspec
import pytest

from libs.contracts.errors import ErrorCode
from libs.contracts.jobs import JobSpec
from libs.templates import (
    TemplateMetadataError,
    TemplateNotFound,
    example_request,
    load_catalogue,
    parameters_json_schema,
)
from libs.templates.catalogue import DEFAULT_ROOT
from libs.templates.errors import ExampleNotFound

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


def test_example_request_maps_every_input_to_a_bundled_file() -> None:
    merge = CATALOGUE.get("merge_datasets")
    request = example_request(merge)
    assert request["inputs"] == {"main": "grunfeld.csv", "using": "grunfeld_firms.csv"}
    assert request["params"] == {"keys": ["firm"], "kind": "m:1"}
    for name in request["inputs"].values():
        assert CATALOGUE.example_file("merge_datasets", name).is_file()


def test_only_a_template_s_own_example_files_are_served() -> None:
    with pytest.raises(ExampleNotFound) as refused:
        CATALOGUE.example_file("ols_robust", "grunfeld.csv")  # bundled, but not ols_robust's
    assert refused.value.code is ErrorCode.EXAMPLE_NOT_FOUND
    with pytest.raises(ExampleNotFound):
        CATALOGUE.example_file("ols_robust", "../template.schema.json")
    with pytest.raises(TemplateNotFound):
        CATALOGUE.example_file("no_such_template", "auto.csv")


def test_a_template_whose_example_file_is_not_bundled_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "do_library"
    shutil.copytree(DEFAULT_ROOT, root)
    (root / "examples" / "blood_pressure.csv").unlink()
    with pytest.raises(TemplateMetadataError, match=r"blood_pressure\.csv"):
        load_catalogue(root)
