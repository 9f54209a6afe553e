"""``python -m libs.engine run FILE.do``: behave like ``stata -b do FILE.do``.

Writes ``FILE.log`` in the current directory; exit status 0 on success, 1 on a do-file error
(the log then ends with ``r(NNN);``).

``python -m libs.engine check FILE.do|DIR ...`` runs each do-file in a scratch directory and
prints whether it ran to the end, or the first failing command, its line and ``r()`` code.
"""

from __future__ import annotations

import sys
from pathlib import Path

from libs.engine.batch import run_do_file
from libs.engine.corpus import report, try_do_file

USAGE = "usage: python -m libs.engine run FILE.do | check FILE.do|DIR ..."


def main(argv: list[str]) -> int:
    """Command-line entry point."""
    if len(argv) >= 2 and argv[0] == "check":
        return _check([Path(a) for a in argv[1:]])
    if len(argv) != 2 or argv[0] not in ("run", "do"):
        print(USAGE, file=sys.stderr)
        return 2
    do_path = Path(argv[1])
    if not do_path.exists():
        print(f"file {do_path} not found", file=sys.stderr)
        return 2
    cwd = Path.cwd()
    rc = run_do_file(do_path, cwd, cwd / f"{do_path.stem}.log")
    return 0 if rc == 0 else 1


def _check(paths: list[Path]) -> int:
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            print(f"file {path} not found", file=sys.stderr)
            return 2
        files.extend(sorted(path.glob("*.do")) if path.is_dir() else [path])
    outcomes = [try_do_file(f) for f in files]
    print(report(outcomes))
    return 0 if all(o.passed for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
