"""TEST DOUBLE standing in for Stata's batch mode. It is not Stata and computes nothing.

It imitates the documented batch behaviour SS depends on (Stata's [GS] manuals, "Stata batch
mode"; docs/stata.md), and no more:

* ``fake_stata [options] -b do FILE[.do]`` (Windows style ``/e do FILE``) writes ``FILE.log`` in
  the CURRENT directory and exits 0 even when the do-file fails;
* each command is echoed as ``. cmd``; a failing command prints its message and ``r(NNN);``, the
  do-file stops, prints ``end of do-file``, and its caller prints ``r(NNN);`` in turn;
* ``capture`` puts the code in ``_rc`` and goes on; ``capture noisily`` still shows the output,
  including the inner ``r(NNN);`` of a failing nested do-file (a false positive for log scans).

Commands: ``*``/``//`` comments, ``display "text"``, ``error N``, ``exit [N] [, STATA clear]``,
``capture [noisily] cmd``, ``do FILE``, ``local NAME = _rc|N`` and ``local NAME text``,
```name'`` and ```c(NAME)'`` expansion, ``log using FILE [, text replace name(N)]``,
``log close [N|_all]``, ``file open H using FILE, write [text] [replace]``, ``file write H
"text" _n``, ``file close H``, ``adopath ++|+ DIR``, ``sleep MS``, ``shell CMD``, ``mkdir DIR``,
``program define NAME ... end`` (and ``NAME.ado`` found along the adopath, ``.`` being the
current directory), ``forvalues V = A/B`` and ``while 1`` loops, ``set obs N`` and
``generate [type] NAME = number`` holding memory as Stata's data does (r(909) when the system
refuses it), ``set max_memory``; graph commands (``scatter``, ``twoway``, ``line``,
``histogram``) draw nothing but leave a graph in memory, and ``graph export FILE[, replace]``
then writes FILE (a 1×1 PNG: Stata writes the file the suffix names; r(602) if it exists
without ``replace``). Anything else is r(199) as in Stata. Tests start it through
``tests.doubles.install_fake_stata``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TextIO

#: creturn values the double reports (tests compare the runner's version record against them)
C_VALUES = {"stata_version": "18", "edition_real": "MP", "born_date": "01 Jan 2099"}
#: What ``graph export`` writes: a valid 1×1 PNG (the double draws nothing).
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
    "9c63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082")
GRAPH_COMMANDS = frozenset({"scatter", "sc", "twoway", "tw", "line", "histogram", "hist"})
MESSAGES = {
    198: "invalid syntax",
    601: "file not found",
    602: "file already exists",
    603: "file could not be opened",
    604: "log file already open",
    606: "no log file open",
    909: "op. sys. refuses to provide memory",
}
#: Bytes per observation of each storage type (``generate``).
WIDTHS = {"byte": 1, "int": 2, "long": 4, "float": 4, "double": 8}
_MACRO = re.compile(r"`(c\((\w+)\)|\w+)'")
_QUOTED = re.compile(r'"([^"]*)"')


class StataError(Exception):
    def __init__(self, rc: int, message: str | None = None) -> None:
        super().__init__(rc)
        self.rc = rc
        self.message = MESSAGES.get(rc, "") if message is None else message


class ExitDo(Exception):
    """``exit`` without a code: the current do-file ends normally."""


class ExitStata(Exception):
    """``exit, STATA``: the whole program ends."""


def _path(arg: str) -> str:
    arg = arg.strip()
    return arg[1:-1] if arg.startswith('"') and arg.endswith('"') else arg


def _split_options(rest: str) -> tuple[str, str]:
    head, _, options = rest.partition(",")
    return head.strip(), options.strip().lower()


class Session:
    def __init__(self, batch_log: TextIO) -> None:
        self.outputs: dict[str, TextIO] = {"<batch>": batch_log}
        self.files: dict[str, TextIO] = {}
        self.adopath = ["BASE", "SITE", ".", "PERSONAL", "PLUS", "OLDPLACE"]
        self.quiet = 0
        self.rc = 0
        self.programs: dict[str, list[str]] = {}
        self.obs = 0
        self.data: dict[str, bytearray] = {}
        self.max_memory = ""
        self.graph = False  # a graph command ran, so graph export has something to write

    def out(self, text: str = "") -> None:
        if self.quiet:
            return
        for fh in self.outputs.values():
            fh.write(text + "\n")
            fh.flush()  # a killed run leaves its log up to the kill, as Stata's does

    def expand(self, line: str, scope: dict[str, str]) -> str:
        def value(m: re.Match[str]) -> str:
            if m[2] is None:
                return scope.get(m[1], "")
            extra = {"pwd": os.getcwd(), "adopath": ";".join(self.adopath)}
            return {**C_VALUES, **extra}.get(m[2], "")

        return _MACRO.sub(value, line)

    def run_do(self, path: str) -> int:
        name = path if path.endswith(".do") else path + ".do"
        try:
            lines = Path(name).read_text(encoding="utf-8").splitlines()
        except OSError:
            raise StataError(601, f"file {name} not found") from None
        scope: dict[str, str] = {}
        rc = 0
        try:
            self.block(lines, scope, echo=True)
        except ExitDo:
            pass
        except StataError as err:
            if err.message:
                self.out(err.message)
            self.out(f"r({err.rc});")
            rc = err.rc
        self.out()
        self.out("end of do-file")
        return rc

    def block(self, lines: list[str], scope: dict[str, str], *, echo: bool) -> None:
        """Run lines: program definitions are kept, loops repeat their bodies."""
        i = 0
        while i < len(lines):
            line = lines[i].strip()
            i += 1
            if not line:
                continue
            if echo:
                self.out(f". {line}")
            expanded = self.expand(line, scope)
            program = re.match(r"^program\s+(?:define\s+)?(\w+)", expanded)
            loop = re.match(r"^(?:forvalues\s+(\w+)\s*=\s*(-?\d+)/(-?\d+)|while\s+1)\s*\{$",
                            expanded)
            if program:
                end = next((j for j in range(i, len(lines)) if lines[j].strip() == "end"),
                           len(lines))
                self.programs[program[1]] = lines[i:end]
                i = end + 1
            elif loop:
                end, depth = i, 1
                while end < len(lines) and depth:
                    text = lines[end].strip()
                    depth += text.endswith("{") - text.startswith("}")
                    end += 1
                body, i = lines[i : end - 1], end
                values = (range(int(loop[2]), int(loop[3]) + 1) if loop[1]
                          else iter(int, 1))  # while 1: for ever
                for value in values:
                    if loop[1]:
                        scope[loop[1]] = str(value)
                    self.block(body, scope, echo=False)
            else:
                self.execute(expanded, scope)

    def execute(self, line: str, scope: dict[str, str]) -> None:
        cmd = re.split(r"[\s,]", line, maxsplit=1)[0]
        rest = line[len(cmd) :].strip()
        if cmd.startswith(("*", "//")):
            return
        if cmd in ("capture", "cap"):
            self.capture(rest, scope)
        elif cmd in ("display", "di"):
            m = _QUOTED.fullmatch(rest)
            if m is None:
                raise StataError(198, "the double displays only one quoted string")
            self.out(m[1])
        elif cmd == "error":
            raise StataError(int(rest))
        elif cmd == "exit":
            code, options = _split_options(rest)
            if "stata" in options:
                raise ExitStata
            if code and int(code):
                raise StataError(int(code), "")
            raise ExitDo
        elif cmd == "do":
            rc = self.run_do(_path(rest))
            if rc:
                raise StataError(rc, "")
        elif cmd == "local":
            self.local(rest, scope)
        elif cmd == "log":
            self.log(rest)
        elif cmd == "file":
            self.file(rest)
        elif cmd == "adopath":
            where, _, folder = rest.partition(" ")
            if where == "++":
                self.adopath.insert(0, _path(folder))
            else:
                self.adopath.append(_path(folder))
            for i, entry in enumerate(self.adopath, 1):
                self.out(f"  [{i}]  {entry}")
        elif cmd == "sleep":
            time.sleep(int(rest) / 1000)
        elif cmd in GRAPH_COMMANDS:
            self.graph = True
        elif cmd == "graph" and rest.startswith("export"):
            self.export(rest.removeprefix("export"))
        elif cmd == "shell":
            done = subprocess.run(rest, shell=True, capture_output=True, text=True, check=False)
            for text in (done.stdout + done.stderr).splitlines():
                self.out(text)
        elif cmd == "mkdir":
            try:
                Path(_path(rest)).mkdir()
            except OSError:
                raise StataError(693, f"could not create directory {rest}") from None
        elif cmd == "set":
            self.set(rest)
        elif cmd in ("generate", "gen", "g"):
            self.generate(rest)
        elif cmd in self.programs or self.load_ado(cmd):
            words = rest.split()
            self.block(self.programs[cmd], {"0": rest, **{str(k): w for k, w in
                                                           enumerate(words, 1)}}, echo=False)
        else:
            raise StataError(199, f"command {cmd} is unrecognized")

    def load_ado(self, cmd: str) -> bool:
        """Stata's adopath search for a command it does not know: ``cmd.ado`` run to define
        it (``.`` is the current directory; the system folders hold nothing here)."""
        for folder in self.adopath:
            path = Path(os.getcwd() if folder == "." else folder) / f"{cmd}.ado"
            if path.is_file():
                self.block(path.read_text(encoding="utf-8").splitlines(), {}, echo=False)
                return cmd in self.programs
        return False

    def set(self, rest: str) -> None:
        what, _, value = rest.partition(" ")
        value = value.strip()
        if what == "max_memory":
            self.max_memory = value
        elif what == "obs":
            self.obs = int(float(value))
            for name, column in self.data.items():
                self.data[name] = self.allocate(self.obs * (len(column) // max(self.obs, 1)))
        elif what != "more":
            raise StataError(198, f"set {what}: the double knows max_memory, obs and more")

    def generate(self, rest: str) -> None:
        m = re.fullmatch(r"(?:(byte|int|long|float|double)\s+)?(\w+)\s*=\s*-?[\d.]+", rest)
        if m is None:
            raise StataError(198, "the double generates only NAME = number")
        self.data[m[2]] = self.allocate(self.obs * WIDTHS[m[1] or "float"])

    @staticmethod
    def allocate(size: int) -> bytearray:
        """Memory for data, as Stata takes it (every byte touched, so it is really there)."""
        try:
            return bytearray(b"\x01") * size
        except MemoryError:
            raise StataError(909) from None

    def capture(self, rest: str, scope: dict[str, str]) -> None:
        first, _, after = rest.partition(" ")
        noisily = first in ("noisily", "noi", "n")
        if not noisily:
            self.quiet += 1
        try:
            self.execute(after.strip() if noisily else rest, scope)
            self.rc = 0
        except StataError as err:
            self.rc = err.rc
            if err.message:
                self.out(err.message)
        finally:
            if not noisily:
                self.quiet -= 1

    def export(self, rest: str) -> None:
        target, options = _split_options(rest)
        path = Path(_path(target))
        if not self.graph:
            raise StataError(198, "no graph in memory")
        if path.exists() and "replace" not in options:
            raise StataError(602, f"file {path} already exists")
        path.write_bytes(PNG_1X1)
        self.out(f"file {path} saved as PNG format")

    def local(self, rest: str, scope: dict[str, str]) -> None:
        name, _, value = rest.partition(" ")
        value = value.strip()
        if value.startswith("="):
            expr = value[1:].strip()
            if expr != "_rc" and not expr.isdigit():
                raise StataError(198, "the double evaluates only _rc and integers")
            value = str(self.rc) if expr == "_rc" else expr
        scope[name] = _path(value)

    def log(self, rest: str) -> None:
        verb, _, args = rest.partition(" ")
        target, options = _split_options(args)
        if verb == "close":
            names = [n for n in self.outputs if n != "<batch>"] if target == "_all" else [target]
            for name in names:
                fh = self.outputs.pop(name or "<unnamed>", None)
                if fh is None:
                    raise StataError(606)
                fh.close()
            return
        m = re.search(r"name\((\w+)\)", options)
        name = m[1] if m else "<unnamed>"
        path = Path(_path(target.removeprefix("using")))
        if name in self.outputs:
            raise StataError(604)
        if path.exists() and "replace" not in options:
            raise StataError(602, f"file {path} already exists")
        fh = path.open("w", encoding="utf-8")
        fh.write(f"      name:  {name}\n       log:  {path.resolve()}\n  log type:  text\n")
        self.outputs[name] = fh

    def file(self, rest: str) -> None:
        verb, _, args = rest.partition(" ")
        handle, _, args = args.strip().partition(" ")
        if verb == "open":
            target, options = _split_options(args.strip().removeprefix("using"))
            path = Path(_path(target))
            if path.exists() and "replace" not in options:
                raise StataError(602, f"file {path} already exists")
            try:
                self.files[handle] = path.open("w", encoding="utf-8")
            except OSError:
                raise StataError(603, f"file {path} could not be opened") from None
        elif verb == "write":
            for quoted, newline in re.findall(r'"([^"]*)"|(_n)', args):
                self.files[handle].write("\n" if newline else quoted)
        elif verb == "close":
            self.files.pop(handle).close()
        else:
            raise StataError(198)


def main(argv: list[str]) -> int:
    # Python ignores SIGXFSZ; Stata, a C program, is killed by it past its file-size limit.
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    flags = [i for i, arg in enumerate(argv) if arg in ("-b", "/e", "/b")]
    if not flags or argv[flags[0] + 1 : flags[0] + 2] != ["do"] or len(argv) < flags[0] + 3:
        print("usage: fake_stata [options] -b do FILE.do   (test double)", file=sys.stderr)
        return 2
    do_file = argv[flags[0] + 2]
    with open(Path(do_file).stem + ".log", "w", encoding="utf-8") as batch_log:
        session = Session(batch_log)
        session.out("fake_stata: TEST DOUBLE imitating Stata batch mode")
        try:
            rc = session.run_do(do_file)
            if rc:
                session.out(f"r({rc});")
        except StataError as err:
            session.out(err.message)
            session.out(f"r({err.rc});")
        except ExitStata:
            pass
        for fh in [*session.files.values(), *session.outputs.values()]:
            fh.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
