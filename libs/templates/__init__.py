"""The do-file template library: metadata, catalogue, parameter validation, rendering, safety.

Pure library (no I/O beyond reading ``do_library/``). The API uses ``load_catalogue``,
``validate_params``, ``parameters_json_schema`` and ``example_request``; the worker adds
``check_shape`` (with ``FrameProbe`` from ``libs.templates.frame``) and ``render_do_file``.
"""

from __future__ import annotations

from libs.dofiles.policy import DoFileUnsafe, UnsafeLine, check_do_file, do_file_findings
from libs.templates.catalogue import Catalogue, load_catalogue
from libs.templates.errors import (
    DataShapeInvalid,
    ParamProblem,
    ParamsInvalid,
    TemplateMetadataError,
    TemplateNotFound,
)
from libs.templates.metadata import Engine, Family, Shape, Template
from libs.templates.params import DatasetColumns, ValidatedParams, validate_params
from libs.templates.render import render_do_file
from libs.templates.request import example_request, parameters_json_schema
from libs.templates.shapes import DatasetProbe, check_shape

__all__ = [
    "Catalogue",
    "DataShapeInvalid",
    "DatasetColumns",
    "DatasetProbe",
    "DoFileUnsafe",
    "Engine",
    "Family",
    "ParamProblem",
    "ParamsInvalid",
    "Shape",
    "Template",
    "TemplateMetadataError",
    "TemplateNotFound",
    "UnsafeLine",
    "ValidatedParams",
    "check_do_file",
    "check_shape",
    "do_file_findings",
    "example_request",
    "load_catalogue",
    "parameters_json_schema",
    "render_do_file",
    "validate_params",
]
