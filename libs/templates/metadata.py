"""The template metadata model: one `Template` per `do_library/templates/<id>/template.toml`.

Every record is a frozen msgspec Struct so that one definition is the TOML decoder, the API's
response body and the JSON Schema (`do_library/template.schema.json`) all at once.
"""

from __future__ import annotations

import enum
from typing import Annotated

import msgspec

#: A Stata identifier: what `varname`, `newvarname` and `namelist` values must look like.
IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,31}$"
#: Template ids are lowercase identifiers; they double as folder names.
TEMPLATE_ID_PATTERN = r"^[a-z][a-z0-9_]{1,47}$"

TemplateId = Annotated[str, msgspec.Meta(pattern=TEMPLATE_ID_PATTERN)]
Identifier = Annotated[str, msgspec.Meta(pattern=IDENTIFIER_PATTERN)]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
Tag = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_]{0,39}$")]
#: A declared output: a CSV table, or (kind ``figure``) a PNG the do-file ``graph export``s.
ResultFile = Annotated[str, msgspec.Meta(pattern=r"^results/[a-z][a-z0-9_]*\.(csv|png)$")]
#: A file of the library's examples folder: a plain name with a dataset extension.
EXAMPLE_FILE_PATTERN = r"^[a-z0-9][a-z0-9_\-]{0,63}\.(?:csv|tsv|xlsx|xls|dta)$"
ExampleFile = Annotated[str, msgspec.Meta(pattern=EXAMPLE_FILE_PATTERN)]


class Shape(enum.StrEnum):
    """How the rows of a dataset are organised."""

    #: One row per unit (a cross-section, or repeated measures spread over columns).
    WIDE = "wide"
    #: Several rows per unit, told apart by an id and a `j` variable (not necessarily time).
    LONG = "long"
    #: Several rows per unit over an integer time variable; `xtset` works on it.
    PANEL = "panel"


class ParamType(enum.StrEnum):
    """What a parameter's value is; decides validation and how it reaches the do-file."""

    VARNAME = "varname"  #: one existing column
    VARLIST = "varlist"  #: one or more existing columns
    NEWVARNAME = "newvarname"  #: a Stata identifier that is not yet a column
    NAMELIST = "namelist"  #: Stata identifiers not tied to columns (reshape stubs)
    NUMBER = "number"
    INTEGER = "integer"
    ENUM = "enum"
    BOOL = "bool"
    STRING = "string"  #: restricted free text (titles, labels): no code characters


class VarType(enum.StrEnum):
    """Which storage types a variable parameter accepts."""

    ANY = "any"
    NUMERIC = "numeric"
    STRING = "string"


class InputRole(enum.StrEnum):
    """What a dataset input is for."""

    MAIN = "main"  #: the dataset in memory when the template starts
    MERGE = "merge"  #: the `using` dataset of a merge
    APPEND = "append"  #: a dataset appended below the main one


class OutputKind(enum.StrEnum):
    """How the formatter should treat a result file."""

    TABLE = "table"
    COEFFICIENTS = "coefficients"
    MODEL_STATS = "model_stats"
    MODELS = "models"
    DATASET = "dataset"
    FIGURE = "figure"


class Engine(enum.StrEnum):
    """Engines a template runs on."""

    EMBEDDED = "embedded"
    STATA = "stata"


class Family(enum.StrEnum):
    """Catalogue families, in the order docs/templates.md lists them."""

    DATA = "data"  #: overview, quality, reshaping, merging, transforming
    DESCRIPTIVE = "descriptive"
    TESTS = "tests"
    REGRESSION = "regression"
    BINARY = "binary"  #: limited dependent variables: binary, ordered, multinomial, count, censored
    PANEL = "panel"
    CAUSAL = "causal"  #: DiD, event study, IV, regression discontinuity, weighting
    TIMESERIES = "timeseries"
    FINANCE = "finance"
    MEDICAL = "medical"  #: diagnostic accuracy, agreement, reliability
    SURVIVAL = "survival"


Scalar = str | int | float | bool


class Parameter(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One typed parameter; it reaches the do-file as `local <name> "<value>"`."""

    name: Identifier
    type: ParamType
    description: NonEmpty
    required: bool = True
    #: Used when the request leaves the parameter out; required parameters have none.
    default: Scalar | list[str] | None = None
    #: A value for the generated example request (on the bundled example data when it fits).
    example: Scalar | list[str] | None = None
    #: varname/varlist: which storage types are accepted.
    var_type: VarType = VarType.ANY
    #: varname/varlist: the inputs whose columns the value must be in (merge keys: both).
    inputs: list[Identifier] = msgspec.field(default_factory=lambda: ["main"])
    #: varlist/namelist: how many names.
    min_items: int = 1
    max_items: int | None = None
    #: Other parameters whose variables this one must not repeat (regressors vs depvar).
    distinct_from: list[Identifier] = msgspec.field(default_factory=list)
    #: number/integer bounds (inclusive).
    minimum: float | None = None
    maximum: float | None = None
    #: enum: the allowed values.
    values: list[NonEmpty] = msgspec.field(default_factory=list)
    #: string: the longest value accepted.
    max_length: int = 80


class ShapeSpec(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A data shape the template accepts and which parameters identify its structure."""

    kind: Shape
    #: Parameter naming the unit id: required for long and panel, optional for wide
    #: (when given, it must identify the rows uniquely).
    id_param: Identifier | None = None
    #: long: the parameter naming the `j` variable that, with the id, identifies rows.
    j_param: Identifier | None = None
    #: panel: the parameter naming the integer time variable.
    time_param: Identifier | None = None
    #: wide with repeated measures: the namelist parameter whose stubs must prefix columns.
    stubs_param: Identifier | None = None


class Input(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A dataset the template reads; the header gives its path as `local <name>_data`."""

    name: Identifier
    role: InputRole
    description: NonEmpty


class Output(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A result file the template writes (see docs/results.md for the fixed shapes)."""

    file: ResultFile
    kind: OutputKind
    title: NonEmpty


class Template(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Everything a client, the worker and the formatter need to know about one template."""

    id: TemplateId
    version: Annotated[str, msgspec.Meta(pattern=r"^\d+\.\d+\.\d+$")]
    title: NonEmpty
    description: NonEmpty
    family: Family
    tags: list[Tag] = msgspec.field(default_factory=list)
    #: The question the template answers and the data it suits.
    use_when: NonEmpty
    #: When another template or method is the better choice.
    avoid_when: NonEmpty
    #: What must hold for the results to mean what they say.
    assumptions: list[NonEmpty]
    shapes: list[ShapeSpec]
    parameters: list[Parameter] = msgspec.field(default_factory=list)
    inputs: list[Input] = msgspec.field(
        default_factory=lambda: [
            Input(name="main", role=InputRole.MAIN, description="The dataset to analyse.")
        ]
    )
    outputs: list[Output]
    #: The bundled example: each input's file in the library's ``examples/`` folder. With the
    #: parameters' ``example`` values it makes a request that runs as is (``ss run --example``).
    example_inputs: dict[Identifier, ExampleFile]
    engines: list[Engine] = msgspec.field(default_factory=lambda: [Engine.EMBEDDED, Engine.STATA])
    min_stata_version: Annotated[int, msgspec.Meta(ge=11, le=19)] = 16
    #: SSC packages real Stata needs; a template for the embedded engine may need only those the
    #: engine implements itself (``synth``), so it runs there as shipped.
    ssc_packages: list[Identifier] = msgspec.field(default_factory=list)

    def parameter(self, name: str) -> Parameter | None:
        """The parameter called `name`, if the template has one."""
        return next((p for p in self.parameters if p.name == name), None)


def template_json_schema() -> dict[str, object]:
    """The JSON Schema of a template metadata file, generated from the Structs."""
    schema: dict[str, object] = msgspec.json.schema(Template)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "SS do-file template metadata"
    return schema
