"""The catalogue: every template of the library, loaded and cross-checked once.

A template folder is ``<root>/templates/<id>/`` with ``template.toml`` (the metadata, see
``metadata.py``) and ``template.do`` (plain Stata using the header's locals). The datasets
the templates' examples name live in ``<root>/examples/``; the project's ado helpers (the only
non-official commands a template may use) in ``<root>/ado/``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import msgspec

from libs.dofiles.policy import check_do_file
from libs.templates.errors import (
    ExampleNotFound,
    ParamsInvalid,
    TemplateMetadataError,
    TemplateNotFound,
)
from libs.templates.metadata import (
    Engine,
    Family,
    InputRole,
    OutputKind,
    ParamType,
    Shape,
    Template,
)
from libs.templates.params import is_safe_text, validate_params
from libs.templates.render import input_local

#: The library bundled with the code.
DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "do_library"
METADATA_FILE = "template.toml"
DO_FILE = "template.do"
EXAMPLES_DIR = "examples"
ADO_DIR = "ado"


class Catalogue:
    """All templates by id, with their do-file bodies, and the library folder they came from."""

    def __init__(self, templates: dict[str, tuple[Template, str]], root: Path) -> None:
        self._templates = dict(sorted(templates.items()))
        self.root = root

    def __len__(self) -> int:
        return len(self._templates)

    def get(self, template_id: str) -> Template:
        """The template ``template_id``; raises ``TemplateNotFound``."""
        try:
            return self._templates[template_id][0]
        except KeyError:
            raise TemplateNotFound(template_id) from None

    def body(self, template_id: str) -> str:
        """The template's do-file body (what goes below the header)."""
        self.get(template_id)
        return self._templates[template_id][1]

    def example_file(self, template_id: str, name: str) -> Path:
        """The bundled file ``name`` of the template's example; ``ExampleNotFound`` when the
        example names no such file (so only example files are ever served)."""
        if name not in self.get(template_id).example_inputs.values():
            raise ExampleNotFound(template_id, name)
        return self.root / EXAMPLES_DIR / name

    def ado_helpers(self) -> frozenset[str]:
        """The commands the library's own ado files define (``<root>/ado/<name>.ado``)."""
        folder = self.root / ADO_DIR
        return frozenset(p.stem for p in folder.glob("*.ado")) if folder.is_dir() else frozenset()

    def templates(self) -> list[Template]:
        """Every template, sorted by id."""
        return [meta for meta, _ in self._templates.values()]

    def search(
        self,
        *,
        family: Family | str | None = None,
        shape: Shape | str | None = None,
        engine: Engine | str | None = None,
        tag: str | None = None,
        text: str | None = None,
    ) -> list[Template]:
        """Templates matching every filter given; ``text`` matches id, title, description,
        when to use it and tags."""
        needle = text.casefold() if text else None
        found = []
        for meta in self.templates():
            if family is not None and meta.family != family:
                continue
            if shape is not None and all(s.kind != shape for s in meta.shapes):
                continue
            if engine is not None and engine not in meta.engines:
                continue
            if tag is not None and tag not in meta.tags:
                continue
            if needle is not None:
                words = [meta.id, meta.title, meta.description, meta.use_when, *meta.tags]
                hay = " ".join(words).casefold()
                if needle not in hay:
                    continue
            found.append(meta)
        return found


def load_catalogue(root: Path = DEFAULT_ROOT) -> Catalogue:
    """Load and check every template under ``root/templates``; raise ``TemplateMetadataError``."""
    templates: dict[str, tuple[Template, str]] = {}
    for folder in sorted((root / "templates").iterdir()):
        if folder.is_dir():
            meta, body = load_template(folder)
            for name in meta.example_inputs.values():
                if not (root / EXAMPLES_DIR / name).is_file():
                    raise TemplateMetadataError(meta.id, f"example file {name!r} is not bundled")
            templates[meta.id] = (meta, body)
    return Catalogue(templates, root)


def load_template(folder: Path) -> tuple[Template, str]:
    """One template folder: its metadata and do-file, checked for consistency."""
    try:
        meta = msgspec.toml.decode((folder / METADATA_FILE).read_bytes(), type=Template)
        body = (folder / DO_FILE).read_text(encoding="utf-8")
    except (OSError, msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise TemplateMetadataError(folder.name, str(exc)) from exc
    if meta.id != folder.name:
        raise TemplateMetadataError(meta.id, f"id differs from its folder {folder.name!r}")
    for problem in consistency_problems(meta):
        raise TemplateMetadataError(meta.id, problem)
    check_do_file(body)
    return meta, body


def consistency_problems(meta: Template,
                         provides: Callable[[str], bool] | None = None) -> list[str]:
    """What the JSON Schema cannot say: references between fields, examples that validate.

    ``provides`` answers whether the embedded engine implements an SSC package
    (``libs.templates.engine_support.embedded_provides``). Asking it loads the engine and its
    numeric stack, which the API image lacks, so catalogue loading passes none and the rule
    is enforced where the engine is: the manifest check (``make lint``) and the tests."""
    problems: list[str] = []
    names = [p.name for p in meta.parameters]
    locals_ = names + [input_local(i.name) for i in meta.inputs]
    if len(set(locals_)) != len(locals_):
        problems.append("parameter and input locals must have distinct names")
    # Stata truncates nothing: a local name longer than 31 characters is an error.
    problems.extend(f"local name {name!r} is longer than 31" for name in locals_ if len(name) > 31)
    if [i.role for i in meta.inputs].count(InputRole.MAIN) != 1:
        problems.append("exactly one input must have role 'main'")
    if sorted(meta.example_inputs) != sorted(i.name for i in meta.inputs):
        problems.append("example_inputs must name a bundled file for every input")
    if len({o.file for o in meta.outputs}) != len(meta.outputs):
        problems.append("an output file is declared twice")
    problems.extend(f"output {o.file}: a figure is a .png, every other kind a .csv"
                    for o in meta.outputs
                    if (o.kind is OutputKind.FIGURE) != o.file.endswith(".png"))
    problems.extend(f"templates for the embedded engine cannot need SSC package {package!r}: "
                    "the engine does not implement it"
                    for package in meta.ssc_packages
                    if provides is not None and Engine.EMBEDDED in meta.engines
                    and not provides(package))
    for spec in meta.parameters:
        if spec.type is ParamType.ENUM and not all(is_safe_text(v) for v in spec.values):
            problems.append(f"parameter {spec.name!r}: enum values must be safe text")
        if spec.type is ParamType.ENUM and not spec.values:
            problems.append(f"parameter {spec.name!r}: enum without values")
        if spec.required and spec.default is not None:
            problems.append(f"parameter {spec.name!r}: required parameters have no default")
        if spec.required and spec.example is None:
            problems.append(f"parameter {spec.name!r}: required parameters need an example")
        problems.extend(
            f"parameter {spec.name!r}: distinct_from names unknown parameter {other!r}"
            for other in spec.distinct_from
            if other not in names
        )
    for shape in meta.shapes:
        refs = (shape.id_param, shape.j_param, shape.time_param, shape.stubs_param)
        problems.extend(
            f"shape {shape.kind}: unknown parameter {ref!r}"
            for ref in refs
            if ref is not None and ref not in names
        )
        if shape.kind is Shape.PANEL and (shape.id_param is None or shape.time_param is None):
            problems.append("a panel shape needs id_param and time_param")
        if shape.kind is Shape.LONG and (shape.id_param is None or shape.j_param is None):
            problems.append("a long shape needs id_param and j_param")
    try:
        validate_params(meta, example_params(meta), None)
    except ParamsInvalid as exc:
        problems.append(f"example parameters do not validate: {exc}")
    return problems


def example_params(meta: Template) -> dict[str, object]:
    """The example value of every parameter that has one (defaults are left implicit)."""
    return {p.name: p.example for p in meta.parameters if p.example is not None}
