"""``python -m tools.examples [--check]``: write (or check) do_library/examples/*.csv."""

from __future__ import annotations

import argparse
import sys

from tools.examples import stale, write_all


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m tools.examples")
    parser.add_argument("--check", action="store_true", help="exit 1 if any file is stale")
    args = parser.parse_args(argv)
    if args.check:
        names = stale()
        for name in names:
            print(f"stale: do_library/examples/{name} (run: python -m tools.examples)",
                  file=sys.stderr)
        return 1 if names else 0
    for path in write_all():
        print(f"wrote {path} ({path.stat().st_size / 1024:.1f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
