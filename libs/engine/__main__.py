"""``python -m libs.engine run FILE.do``: behave like ``stata -b do FILE.do``.

Writes ``FILE.log`` in the current directory; exit status 0 on success, 1 on a do-file error
(the log then ends with ``r(NNN);``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from libs.engine.batch import run_do_file


def main(argv: list[str]) -> int:
    """Command-line entry point."""
    if len(argv) != 2 or argv[0] not in ("run", "do"):
        print("usage: python -m libs.engine run FILE.do", file=sys.stderr)
        return 2
    do_path = Path(argv[1])
    if not do_path.exists():
        print(f"file {do_path} not found", file=sys.stderr)
        return 2
    cwd = Path.cwd()
    rc = run_do_file(do_path, cwd, cwd / f"{do_path.stem}.log")
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
