"""The generated files (capability manifest, schema, catalogue page) and their staleness check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from libs.dofiles.policy import command_words
from libs.engine.errors import StataError
from libs.engine.registry import lookup
from libs.templates import load_catalogue
from libs.templates.__main__ import main
from libs.templates.catalogue import DEFAULT_ROOT
from libs.templates.commands import LANGUAGE_WORDS
from libs.templates.engine_support import embedded_supports
from libs.templates.manifest import MANIFEST_FILE, stale_files


def test_committed_generated_files_are_up_to_date() -> None:
    # Fails when a template, the schema or the engine's command registry changed without
    # `python -m libs.templates manifest` being run: CI's staleness check.
    stale = stale_files(load_catalogue(), DEFAULT_ROOT, embedded_supports)
    assert stale == [], f"stale: {stale}; run `python -m libs.templates manifest`"


def test_manifest_lists_commands_and_asks_the_engine_registry() -> None:
    manifest = json.loads((DEFAULT_ROOT / MANIFEST_FILE).read_text())
    catalogue = load_catalogue()
    by_id = {entry["id"]: entry for entry in manifest["templates"]}
    assert set(by_id) == {m.id for m in catalogue.templates()}
    for meta in catalogue.templates():
        entry = by_id[meta.id]
        words = {w for w in command_words(catalogue.body(meta.id)) if w not in LANGUAGE_WORDS}
        assert set(entry["commands"]) == words
        assert entry["shapes"] == [s.kind.value for s in meta.shapes]
        assert [o["file"] for o in entry["outputs"]] == [o.file for o in meta.outputs]
    for word, info in manifest["commands"].items():
        try:
            lookup(word)
            known = True
        except StataError:
            known = False
        assert info["embedded"] is known, word
    ready = {entry["id"] for entry in manifest["templates"] if entry["embedded_ready"]}
    for entry in manifest["templates"]:
        implemented = all(manifest["commands"][w]["embedded"] for w in entry["commands"])
        assert (entry["id"] in ready) is implemented


def test_check_detects_a_stale_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "do_library"
    shutil.copytree(DEFAULT_ROOT, root)
    (tmp_path / "docs").mkdir()
    assert main(["manifest", "--root", str(root)]) == 0
    assert main(["manifest", "--check", "--root", str(root)]) == 0
    meta = root / "templates" / "ols" / "template.toml"
    meta.write_text(meta.read_text().replace('title = "Linear regression (OLS)"', 'title = "OLS"'))
    assert main(["manifest", "--check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "CAPABILITY_MANIFEST.json" in err
    assert "templates.md" in err
    body = root / "templates" / "ols" / "template.do"
    assert main(["manifest", "--root", str(root)]) == 0
    body.write_text(body.read_text() + "describe\n")
    assert main(["manifest", "--check", "--root", str(root)]) == 1
    manifest_before = json.loads((root / MANIFEST_FILE).read_text())
    assert main(["manifest", "--root", str(root)]) == 0
    manifest_after = json.loads((root / MANIFEST_FILE).read_text())
    assert manifest_before != manifest_after
    ols = next(e for e in manifest_after["templates"] if e["id"] == "ols")
    assert "describe" in ols["commands"]
