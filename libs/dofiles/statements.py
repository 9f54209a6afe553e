"""A do-file's commands as they will run, read without running them.

Each logical line (the engine's lexer) becomes a ``Statement`` whose text has its macros
expanded the way the interpreter expands them (the engine's own ``macros.expand``), wherever
a static reading can know their values:

- ``local``/``global`` set to literal text, a quoted string or a number;
- ``tempfile`` names (marked ``TEMPFILE``: Stata's own temporary files), ``tempvar`` and
  ``tempname`` names;
- loop variables: ``foreach`` over listed words or a known macro, ``forvalues`` over a range
  (each unrolled, up to ``LOOP_VALUES`` values);
- other do-files it runs (``do``/``run``/``include``) when their text is at hand, and the
  bodies of ``program define``.

Anything else a macro holds — set by ``args``, ``syntax``, ``gettoken``, ``levelsof ...,
local()``, a program's ``c_local``, an expression or an extended function — is unknown, and
shows in the statement's text as ``UNRESOLVED``; the check then says it cannot judge what
depends on it. ``input ... end`` data rows are not commands and are skipped; so is the body of
a ``mata``/``python`` block (the block itself is refused by the policy).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from libs.dofiles.policy import UNRESOLVED, is_captured, path_violation, split_command
from libs.engine import macros
from libs.engine.errors import StataError
from libs.engine.interpreter import split_if
from libs.engine.lexer import LogicalLine, block_end, logical_lines

#: Marks a macro that names one of Stata's temporary files (``tempfile``).
TEMPFILE = "\x01"
#: Loops with more values than this are read once, their variable unknown.
LOOP_VALUES = 100
#: Statements read in all (unrolled loops included) before loops stop being unrolled.
BUDGET = 20_000
#: How deep ``do``/``run``/``include`` are followed.
MAX_DEPTH = 8

_LOOPS = ("foreach", "forvalues", "forv", "forval", "forvalu", "forvalue")
_LOCAL = re.compile(r"^(loc|loca|local|gl|glo|glob|globa|global)\s+(\+\+|--)?(\w+)(.*)$",
                    re.DOTALL)
_LOCAL_OPTION = re.compile(r"\blocal\((\w+)\)")
_NUMBER = re.compile(r"^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$", re.IGNORECASE)
_STRING = re.compile(r'^(?:"([^"]*)"|`"(.*)"\')$', re.DOTALL)
_PROGRAM = re.compile(r"^pr(?:o|og|ogr|ogra|ogram)?\s+(?:(?:de|def|defi|defin|define)\s+)?"
                      r"([A-Za-z_]\w*)", re.IGNORECASE)
_NOT_DEFINE = re.compile(r"^pr\w*\s+(drop|dir|list)\b")
_C_LOCAL = re.compile(r"^\s*c_local\s+(\w+)", re.MULTILINE)
#: ``forvalues`` ranges: ``a/b``, ``a(d)b``, ``a d to b``, ``a d : b``.
_RANGE = re.compile(r"^\s*(-?[\d.]+)\s*(?:/\s*(-?[\d.]+)|\(\s*(-?[\d.]+)\s*\)\s*(-?[\d.]+)"
                    r"|\s+(-?[\d.]+)\s*(?:to|:)\s*(-?[\d.]+))\s*$")


@dataclass(frozen=True)
class Statement:
    """One command line of a do-file (or of a file it runs), as it will run."""

    #: the file the line is in (the do-file's name, or the included/ado file's)
    file: str
    #: physical line number where the command starts (1-based)
    lineno: int
    #: the logical line as written
    source: str
    #: the line after macro expansion; ``UNRESOLVED`` marks text no static reading can know
    text: str
    #: the command that runs: the text itself, or the command of ``if exp cmd``/``else cmd``;
    #: empty for lines that only open or close a block
    command: str
    #: the line runs under ``capture``
    captured: bool
    #: the line is inside a program definition (it runs when the program is called)
    in_program: bool
    #: the workspace folder relative paths are resolved in (None: unknown after a ``cd``)
    cwd: str | None
    #: why the line cannot be read at all (an unmatched macro quote ...), else ""
    error: str = ""


@dataclass
class _Scope:
    """Locals of one frame: the do-file, a do-file it runs, or a program body. A local the
    reader has not seen set is unknown (it may come from a caller, ``syntax`` or ``args``)."""

    locals: dict[str, str] = field(default_factory=dict)


class _Env:
    """``macros.MacroEnv`` over what the reader knows; unknown values read as UNRESOLVED."""

    def __init__(self, reader: StatementReader, scope: _Scope) -> None:
        self._reader = reader
        self._scope = scope

    def get_local(self, name: str) -> str:
        if name in self._reader.always_unknown:
            return UNRESOLVED
        return self._scope.locals.get(name, UNRESOLVED)

    def set_local(self, name: str, value: str) -> None:
        self._scope.locals[name] = value

    def get_global(self, name: str) -> str:
        return self._reader.globals.get(name, UNRESOLVED)

    def inline_expression(self, text: str) -> str:
        text = text.strip()
        return text if _NUMBER.match(text) else UNRESOLVED

    def extended_function(self, text: str) -> str:
        return UNRESOLVED

    def stored_result(self, cls: str, name: str) -> str:
        return UNRESOLVED  # r(), e(), c() hold what the run computes


class StatementReader:
    """Reads a do-file (and what it runs) into ``statements``; see the module docstring.

    ``texts`` holds the text of every other do- or ado-file the client provides, by name.
    """

    def __init__(self, texts: Mapping[str, str] | None = None) -> None:
        self.texts = dict(texts or {})
        self.globals: dict[str, str] = {}
        #: programs the do-file (or its files) define
        self.programs: set[str] = set()
        self.statements: list[Statement] = []
        #: locals some program sets in its caller with ``c_local``: never known
        self.always_unknown = {m for text in self.texts.values()
                               for m in _C_LOCAL.findall(text)}
        self._budget = BUDGET
        self._cwd: str | None = ""
        self._depth = 0
        self._tempcount = 0

    def read(self, name: str, source: str, *, program_file: bool = False) -> None:
        """Read do-file ``source`` (called ``name``); ``program_file`` for an ado-file, whose
        lines run only inside the programs it defines."""
        self.always_unknown |= set(_C_LOCAL.findall(source))
        self._walk(logical_lines(source), name, _Scope(), program_file)

    # -- walking ---------------------------------------------------------------------------
    def _walk(self, lines: list[LogicalLine], file: str, scope: _Scope,
              in_program: bool) -> None:
        i = 0
        while i < len(lines):
            i = self._step(lines, i, file, scope, in_program)

    def _step(self, lines: list[LogicalLine], i: int, file: str, scope: _Scope,
              in_program: bool) -> int:
        line = lines[i]
        text = line.text.strip()
        word, rest = split_command(text)
        lower = word.lower()
        if text.startswith("}") or re.match(r"^else\s*(if\b.*)?\{$", text):
            # Closing a block ("} else {" ...): the condition of an else-if still runs.
            tail = text.lstrip("}").strip()
            if tail and tail != "else {":
                self._emit(line, file, scope, in_program, tail, runs=False)
            return i + 1
        if _PROGRAM.match(text) and not _NOT_DEFINE.match(text):
            end = _find_end(lines, i)
            statement = self._emit(line, file, scope, in_program, text, runs=False)
            found = _PROGRAM.match(statement.text)
            if found and UNRESOLVED not in found.group(1):
                self.programs.add(found.group(1))
            self._walk(lines[i + 1 : end], file, _Scope(), True)
            return end + 1
        if lower in ("input", "inp", "inpu") and not text.endswith("{"):
            self._emit(line, file, scope, in_program, text, runs=False)
            return _find_end(lines, i) + 1
        if lower in ("mata", "python", "java") and rest.strip() in ("", ":"):
            self._emit(line, file, scope, in_program, text)
            return _find_end(lines, i) + 1
        if text.endswith("{") and lower in (*_LOOPS, "while"):
            close = block_end(lines, i)
            header = self._emit(line, file, scope, in_program, text, runs=False)
            self._loop(header.text[:-1].strip(), lines[i + 1 : close], file, scope, in_program)
            return close + 1
        if text.endswith("{"):
            # if / else if / a bare block under a prefix: its lines are read in turn.
            self._emit(line, file, scope, in_program, text, runs=False)
            return i + 1
        statement = self._emit(line, file, scope, in_program, text)
        self._effects(statement, scope)
        return i + 1

    def _emit(self, line: LogicalLine, file: str, scope: _Scope, in_program: bool, raw: str,
              *, runs: bool = True) -> Statement:
        self._budget -= 1
        error = ""
        try:
            text = macros.expand(raw, _Env(self, scope))
        except StataError as exc:
            text, error = raw, exc.message
        except ValueError:
            # `++i` of a local whose value is not known
            text = re.sub(r"`[^`']*'|\$\{?\w+\}?", UNRESOLVED, raw)
        command = _command_part(split_command(text)[0].lower(), text) if runs else ""
        statement = Statement(file=file, lineno=line.lineno, source=line.text, text=text,
                              command=command, captured=is_captured(text),
                              in_program=in_program, cwd=self._cwd, error=error)
        self.statements.append(statement)
        return statement

    def _loop(self, header: str, body: list[LogicalLine], file: str, scope: _Scope,
              in_program: bool) -> None:
        word, rest = split_command(header)
        name, values = _loop_values(word.lower(), rest, scope, self.globals)
        if values is not None and len(values) <= LOOP_VALUES and self._budget > 0:
            for value in values:
                if self._budget <= 0:
                    break
                scope.locals[name] = value
                self._walk(body, file, scope, in_program)
            else:
                scope.locals[name] = UNRESOLVED
                return
        # Read once more with the variable unknown: values not unrolled still get judged.
        if name:
            scope.locals[name] = UNRESOLVED
        self._walk(body, file, scope, in_program)

    # -- what a statement changes -------------------------------------------------------
    def _effects(self, statement: Statement, scope: _Scope) -> None:
        text = statement.command
        word, rest = split_command(text)
        lower = word.lower()
        for name in _LOCAL_OPTION.findall(text):
            scope.locals[name] = UNRESOLVED
        words = rest.split()
        if _LOCAL.match(f"{word}{rest}"):
            self._assign(f"{word}{rest}", scope)
        elif lower in ("tempfile", "tempvar", "tempname"):
            for name in words:
                self._tempcount += 1
                value = f"__{self._tempcount:06d}"
                scope.locals[name] = TEMPFILE + value if lower == "tempfile" else value
        elif lower in ("args", "gettoken", "unab", "tsunab", "fvunab", "mark", "marksample",
                       "file"):
            # What each sets: every name (args), the names before the colon (gettoken, unab),
            # the first (mark, marksample), the last of ``file read h name``.
            targets = (words if lower == "args"
                       else rest.partition(":")[0].split() if lower in (
                           "gettoken", "unab", "tsunab", "fvunab")
                       else words[:1] if lower in ("mark", "marksample")
                       else words[-1:] if words[:1] == ["read"] else [])
            for name in targets:
                scope.locals[name] = UNRESOLVED
        elif lower in ("do", "run", "include", "ru") and self._depth < MAX_DEPTH:
            self._run_file(lower, rest, statement, scope)
        elif lower in ("cd", "chdir"):
            self._change_directory(rest)

    def _assign(self, text: str, scope: _Scope) -> None:
        match = _LOCAL.match(text)
        assert match is not None
        kind, step, name, value = match.groups()
        store = self.globals if kind.startswith("g") else scope.locals
        value = value.strip()
        if step:
            old = store.get(name, UNRESOLVED)
            store[name] = (str(int(float(old)) + (1 if step == "++" else -1))
                           if _NUMBER.match(old) else UNRESOLVED)
        elif value.startswith("="):
            expression = value[1:].strip()
            quoted = _STRING.match(expression)
            store[name] = (quoted.group(1) if quoted and quoted.group(1) is not None
                           else quoted.group(2) if quoted
                           else expression if _NUMBER.match(expression) else UNRESOLVED)
        elif value.startswith(":"):
            store[name] = UNRESOLVED
        else:
            store[name] = macros.strip_quotes(value)

    def _run_file(self, verb: str, rest: str, statement: Statement, scope: _Scope) -> None:
        words = macros.split_words(rest)
        if not words or UNRESOLVED in words[0]:
            return
        target = words[0] if "." in words[0].rpartition("/")[2] else words[0] + ".do"
        source = self.texts.get(target)
        if source is None:
            return
        self._depth += 1
        try:
            frame = scope if verb == "include" else _Scope()
            self._walk(logical_lines(source), target, frame, statement.in_program)
        finally:
            self._depth -= 1

    def _change_directory(self, rest: str) -> None:
        words = macros.split_words(rest)
        target = words[0] if words else ""
        if path_violation(target):
            return  # refused by the policy: the run never gets there
        if self._cwd is None or UNRESOLVED in target or TEMPFILE in target:
            self._cwd = None
            return
        parts = [p for p in f"{self._cwd}/{target}".split("/") if p not in ("", ".")]
        self._cwd = "/".join(parts)


def read_statements(name: str, source: str,
                    texts: Mapping[str, str] | None = None) -> StatementReader:
    """Read do-file ``source`` and every provided ado-file in ``texts``; the reader holds the
    statements, in the order they would run, and the programs defined."""
    reader = StatementReader(texts)
    for ado, text in sorted(reader.texts.items()):
        if ado.endswith(".ado"):
            reader.read(ado, text, program_file=True)
            reader.programs.add(ado.removesuffix(".ado"))
    reader.read(name, source)
    return reader


def _command_part(word: str, text: str) -> str:
    """The command that runs on a line: the line itself, or the command after ``if exp``
    or ``else``."""
    if word == "else":
        return text.strip()[4:].strip()
    if word == "if":
        try:
            return split_if(text.strip())[1].strip()
        except StataError:
            return ""
    return text


def _find_end(lines: list[LogicalLine], i: int) -> int:
    """The ``end`` closing the program, input or code block opened at ``lines[i]``."""
    for j in range(i + 1, len(lines)):
        if lines[j].text.strip() == "end":
            return j
    return len(lines)


def _loop_values(word: str, rest: str, scope: _Scope,
                 globals_: dict[str, str]) -> tuple[str, list[str] | None]:
    """The loop variable and the values it takes (None when they are not known)."""
    if word == "while":
        return "", None
    if word == "foreach":
        found = re.match(r"^(\w+)\s+(in|of)\s*(.*)$", rest.strip(), re.DOTALL)
        if found is None:
            return "", None
        name, how, items = found.groups()
        if how == "of":
            kind, _, items = items.partition(" ")
            if kind in ("local", "global"):
                store = scope.locals if kind == "local" else globals_
                items = store.get(items.strip(), UNRESOLVED)
            elif kind.startswith("num"):
                return name, _numlist(items)
            else:
                return name, None  # variable names: not files, not known statically
        return name, None if UNRESOLVED in items else macros.split_words(items)
    found = re.match(r"^(\w+)\s*=\s*(.+)$", rest.strip(), re.DOTALL)
    if found is None:
        return "", None
    return found.group(1), _numlist(found.group(2))


def _numlist(text: str) -> list[str] | None:
    """The values of a simple range (``1/10``, ``0(5)100``, ``1 2 to 9``), at most
    ``LOOP_VALUES + 1`` of them (more only says "too many"); None when it is not one."""
    found = _RANGE.match(text)
    if found is None:
        words = text.split()
        return words if words and all(_NUMBER.match(w) for w in words) else None
    try:
        start = float(found.group(1))
        if found.group(2) is not None:
            stop = float(found.group(2))
            step = 1.0 if stop >= start else -1.0
        elif found.group(3) is not None:
            step, stop = float(found.group(3)), float(found.group(4))
        else:
            step, stop = float(found.group(5)) - start, float(found.group(6))
    except ValueError:
        return None
    if step == 0:
        return None
    values: list[str] = []
    value = start
    while (step > 0 and value <= stop + 1e-9) or (step < 0 and value >= stop - 1e-9):
        values.append(f"{value:g}" if value != int(value) else str(int(value)))
        if len(values) > LOOP_VALUES:
            break
        value = start + len(values) * step
    return values
