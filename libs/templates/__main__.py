"""``python -m libs.templates manifest [--check]``: write (or check) the generated files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from libs.templates.catalogue import DEFAULT_ROOT, consistency_problems, load_catalogue
from libs.templates.engine_support import embedded_provides, embedded_supports
from libs.templates.manifest import generated_files, stale_files


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m libs.templates")
    sub = parser.add_subparsers(dest="command", required=True)
    manifest = sub.add_parser("manifest", help="write CAPABILITY_MANIFEST.json, schema, docs")
    manifest.add_argument("--check", action="store_true", help="exit 1 if any file is stale")
    manifest.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="do_library folder")
    args = parser.parse_args(argv)
    catalogue = load_catalogue(args.root)
    # the rules that need the embedded engine (SSC packages it implements): checked here,
    # where the engine is importable, not when the API loads the catalogue
    problems = [f"{meta.id}: {problem}" for meta in catalogue.templates()
                for problem in consistency_problems(meta, embedded_provides)]
    for problem in problems:
        print(f"template: {problem}", file=sys.stderr)
    if problems:
        return 1
    if args.check:
        stale = stale_files(catalogue, args.root, embedded_supports)
        for path in stale:
            print(f"stale: {path} (run: python -m libs.templates manifest)", file=sys.stderr)
        return 1 if stale else 0
    for path, text in generated_files(catalogue, args.root, embedded_supports).items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
