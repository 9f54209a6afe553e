"""Rendering: the header of Stata locals the worker writes above a template body.

Values are never substituted into the template's code: each becomes one
``local <name> "<value>"`` line, and the body refers to it as `` `name' ``. Validation has
already held every value to identifiers, numbers or safe text, so a value cannot close its
quotes; the safety policy then checks the whole rendered file anyway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from libs.dofiles.policy import check_do_file
from libs.templates.errors import TemplateMetadataError
from libs.templates.metadata import Template
from libs.templates.params import ParamValue, ValidatedParams

#: Where the worker puts normalised inputs inside the workspace, and what the header calls them.
INPUTS_DIR = "inputs"
#: Inputs are files directly inside INPUTS_DIR: plain names, no path separators.
_INPUT_FILE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}\.dta$")


def input_local(name: str) -> str:
    """The header local holding the workspace-relative path of input ``name``."""
    return f"{name}_data"


def default_input_files(template: Template) -> dict[str, str]:
    """The file name the worker gives each input: ``<input name>.dta``."""
    return {spec.name: f"{spec.name}.dta" for spec in template.inputs}


def render_header(
    template: Template, params: ValidatedParams, input_files: Mapping[str, str]
) -> str:
    """The header block: one ``local`` per parameter and one per input path."""
    if params.template_id != template.id:
        raise ValueError(f"parameters were validated for {params.template_id!r}")
    lines = [
        f"// SS template {template.id} {template.version}: parameters set by the service",
    ]
    for spec in template.parameters:
        lines.append(f'local {spec.name} "{_stata_value(params.values.get(spec.name))}"')
    for data in template.inputs:
        file_name = input_files.get(data.name)
        if file_name is None or not _INPUT_FILE.fullmatch(file_name):
            raise TemplateMetadataError(template.id, f"bad file name for input {data.name!r}")
        lines.append(f'local {input_local(data.name)} "{INPUTS_DIR}/{file_name}"')
    return "\n".join(lines) + "\n"


def render_do_file(
    template: Template,
    body: str,
    params: ValidatedParams,
    input_files: Mapping[str, str] | None = None,
) -> str:
    """The do-file the worker runs: header + template body, checked by the safety policy.

    Raises ``DoFileUnsafe`` when the result breaks the policy.
    """
    files = default_input_files(template) if input_files is None else input_files
    text = render_header(template, params, files) + "\n" + body
    check_do_file(text)
    return text


def _stata_value(value: ParamValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)
