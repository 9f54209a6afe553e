"""The generated files of the library: capability manifest, metadata schema, catalogue page.

``python -m libs.templates manifest`` writes all three; ``--check`` says which are stale. The
manifest records, per template, the Stata commands its do-file uses and whether the embedded
engine's command registry knows each one, so "can this run without Stata?" is answered by a
file CI keeps true.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from libs.templates.catalogue import Catalogue
from libs.templates.commands import template_commands
from libs.templates.docs import catalogue_markdown
from libs.templates.metadata import template_json_schema
from libs.templates.request import example_request

MANIFEST_FILE = "CAPABILITY_MANIFEST.json"
SCHEMA_FILE = "template.schema.json"
#: Answers "does the embedded engine implement this command?".
Supports = Callable[[str], bool]


def generated_files(catalogue: Catalogue, root: Path, supports: Supports) -> dict[Path, str]:
    """Every generated file's path and its up-to-date content."""
    return {
        root / MANIFEST_FILE: _json(capability_manifest(catalogue, supports)),
        root / SCHEMA_FILE: _json(template_json_schema()),
        root.parent / "docs" / "templates.md": catalogue_markdown(catalogue),
    }


def stale_files(catalogue: Catalogue, root: Path, supports: Supports) -> list[Path]:
    """Generated files whose content on disk differs from what would be generated now."""
    return [
        path
        for path, text in generated_files(catalogue, root, supports).items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]


def capability_manifest(catalogue: Catalogue, supports: Supports) -> dict[str, Any]:
    """The manifest: templates with their commands, and commands with engine support."""
    commands: dict[str, dict[str, Any]] = {}
    templates = []
    for meta in catalogue.templates():
        used = template_commands(catalogue, meta.id)
        words = used.all
        for word in words:
            entry = commands.setdefault(word, {"embedded": supports(word), "templates": []})
            entry["templates"].append(meta.id)
        templates.append(
            {
                "id": meta.id,
                "version": meta.version,
                "title": meta.title,
                "family": meta.family.value,
                "tags": list(meta.tags),
                "shapes": [s.kind.value for s in meta.shapes],
                "engines": [e.value for e in meta.engines],
                "min_stata_version": meta.min_stata_version,
                "ssc_packages": list(meta.ssc_packages),
                "parameters": [
                    {"name": p.name, "type": p.type.value, "required": p.required}
                    for p in meta.parameters
                ],
                "inputs": [{"name": i.name, "role": i.role.value} for i in meta.inputs],
                "outputs": [{"file": o.file, "kind": o.kind.value} for o in meta.outputs],
                "commands": words,
                "stata_commands": used.official,
                "ado_helpers": used.ado_helpers,
                "ssc_commands": used.ssc_commands,
                "embedded_ready": all(supports(word) for word in words),
                "example_request": example_request(meta),
            }
        )
    return {
        "generated_by": "python -m libs.templates manifest",
        "templates": templates,
        "commands": dict(sorted(commands.items())),
    }


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
