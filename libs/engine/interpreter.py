"""The interpreter: runs logical lines — blocks, control flow, prefixes, command dispatch.

Each line is macro-expanded just before it runs (so loop bodies see the current macro values),
then prefixes (``capture``, ``quietly``, ``noisily``, ``by``/``bysort``) are peeled off and
the command is looked up in the registry (or among ``program define``d programs).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from libs.engine import macros, registry
from libs.engine.abbreviations import abbreviates
from libs.engine.byprefix import run_by
from libs.engine.data_entry import header_line, read_input
from libs.engine.errors import (
    ExitRequest,
    LoopControl,
    StataError,
    UnrecognizedCommand,
    internal_error,
)
from libs.engine.evaluator import Evaluator
from libs.engine.expr import tokenize
from libs.engine.lexer import LogicalLine, block_end, logical_lines
from libs.engine.loops import run_loop
from libs.engine.macrofuncs import SessionMacros
from libs.engine.results import Results
from libs.engine.session import Frame, Program, Session
from libs.engine.sorting import PreservedOrder
from libs.engine.values import is_string

_WORD = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)(.*)$", re.DOTALL)


class Interpreter:
    """Executes lines against a session (the session's :class:`~libs.engine.executor.Executor`)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.env = SessionMacros(session)
        session.attach(self)

    # -- blocks ------------------------------------------------------------------------------
    def run(self, lines: list[LogicalLine], *, echo: bool) -> None:
        """Run ``lines`` in order; ``echo`` writes ``. cmd`` for each (the do-file level)."""
        i = 0
        while i < len(lines):
            i = self.step(lines, i, echo=echo)

    def step(self, lines: list[LogicalLine], i: int, *, echo: bool) -> int:
        """Run the statement starting at ``lines[i]``; return the index after it. An error
        leaves with the innermost line that raised it (``StataError.lineno``/``command``)."""
        try:
            return self._statement(lines, i, echo=echo)
        except StataError as err:
            if not err.lineno:  # None, or 0 for a line a command made up (for, by)
                err.locate(lines[i].lineno, lines[i].text)
            raise

    def _statement(self, lines: list[LogicalLine], i: int, *, echo: bool) -> int:
        line = lines[i]
        first = line.text.split(None, 1)[0] if line.text.split() else ""
        if abbreviates(first, "program") and not re.match(r"^\w+\s+(drop|dir|list)\b",
                                                          line.text):
            end = self._program_end(lines, i)
            if echo:
                self._echo_block(lines, i, end, start_number=1)
            self._define_program(lines, i, end)
            return end + 1
        if abbreviates(first, "input") and not line.text.rstrip().endswith("{"):
            end = self._program_end(lines, i)
            if echo:
                self.session.log.echo(line.source)
                self.session.log.out()
                self.session.log.out(header_line(line.text))
                self._echo_rows(lines, i + 1, end)

            read_input(self.session, macros.expand(line.text, self.env).split(None, 1)[1:],
                       [macros.expand(ln.text, self.env) for ln in lines[i + 1 : end]])
            return end + 1
        if line.text.rstrip().endswith("{"):
            end = self._block_end(lines, i)
            if first == "if":
                end = self._chain_end(lines, end)
            if echo:
                self._echo_block(lines, i, end, start_number=2)
            self.run_compound(lines[i : end + 1])
            return end + 1
        if echo:
            self.session.log.echo(line.source)
        self.execute(macros.expand(line.text, self.env), lines, i)
        return i + 1

    def _echo_block(self, lines: list[LogicalLine], start: int, end: int, *,
                    start_number: int) -> None:
        log = self.session.log
        log.echo(lines[start].source)
        number = start_number
        for line in lines[start + 1 : end + 1]:
            for k, raw in enumerate(line.source):
                log.echo([raw], number=number) if k == 0 else log.echo(["> " + raw], number=None)
            number += 1

    def _echo_rows(self, lines: list[LogicalLine], start: int, end: int) -> None:
        for number, line in enumerate(lines[start : end + 1], start=1):
            self.session.log.echo([line.source[0]], number=number)

    def _block_end(self, lines: list[LogicalLine], i: int) -> int:
        """Index of the line closing the block opened at ``lines[i]``."""
        end = block_end(lines, i)
        if end == len(lines):
            raise StataError(198, "unexpected end of file (missing })")
        return end

    def _chain_end(self, lines: list[LogicalLine], end: int) -> int:
        """Extend an ``if`` block over following ``else`` / ``else if`` branches."""
        while True:
            closing = lines[end].text.strip()
            if re.match(r"^}\s*else\b", closing):
                end = self._block_end(lines, end) if closing.endswith("{") else end
                if not closing.endswith("{"):
                    return end
                continue
            if end + 1 < len(lines) and re.match(r"^else\b", lines[end + 1].text.strip()):
                nxt = lines[end + 1].text.strip()
                if nxt.endswith("{"):
                    end = self._block_end(lines, end + 1)
                    continue
                return end + 1
            return end

    def _program_end(self, lines: list[LogicalLine], i: int) -> int:
        """Index of the ``end`` closing a ``program define`` or ``input`` block."""
        for j in range(i + 1, len(lines)):
            if lines[j].text.strip() == "end":
                return j
        raise StataError(198, "unexpected end of file (missing end)")

    # -- compound statements -----------------------------------------------------------------
    def run_compound(self, lines: list[LogicalLine]) -> None:
        """Run a braced construct: if/else chain, loop, or a prefixed ``{ }`` block."""
        prefixes, raw_core = _split_prefixes(lines[0].text.strip()[:-1].strip())
        core = macros.expand(raw_core, self.env).strip()
        word = core.split(None, 1)[0] if core else ""

        def construct() -> None:
            if word == "if":
                self._run_if(lines, raw_core[2:])
            elif _is_loop(word):
                run_loop(self.session, lines, core, raw_core)
            else:  # a bare { } block (under capture/quietly/noisily)
                self.run(lines[1:-1], echo=False)

        if prefixes:
            self.with_prefixes(prefixes, construct)
        else:
            construct()

    def _run_if(self, lines: list[LogicalLine], first_cond: str) -> None:
        branches = self._branches(lines, first_cond)
        for cond, body in branches:
            if cond is None or self.truth(cond):
                self.run(body, echo=False)
                return

    def _branches(self, lines: list[LogicalLine], first_cond: str
                  ) -> list[tuple[str | None, list[LogicalLine]]]:
        """Split an if/else-if/else chain into (condition or None for else, body) pairs."""
        branches: list[tuple[str | None, list[LogicalLine]]] = []
        cond: str | None = first_cond
        body: list[LogicalLine] = []
        depth = 0
        closed = False  # the chain's current branch has just been closed by its "}"
        for line in lines[1:]:
            text = line.text.strip()
            if depth == 0 and text.startswith("}"):
                branches.append((cond, body))
                body, closed = [], True
                text = text[1:].strip()
                if not text:
                    continue
            if depth == 0 and closed and text.startswith("else"):
                closed = False
                tail = text[4:].strip()
                if tail.startswith("if"):
                    if not tail.endswith("{"):
                        raise StataError(198, "else if requires {")
                    cond = tail[2:].strip()[:-1]
                elif tail.startswith("{"):
                    cond = None
                else:  # else command, on one line
                    branches.append((None, [LogicalLine(text=tail, lineno=line.lineno,
                                                        source=line.source)]))
                continue
            if text.startswith("}"):
                depth -= 1
            if text.endswith("{"):
                depth += 1
            body.append(line)
        return branches

    def truth(self, cond: str) -> bool:
        """Whether condition ``cond`` (macros expanded now) is true; r(109) for a string."""
        expanded = macros.expand(cond, self.env)
        value = Evaluator(self.session, scalar=True).evaluate(expanded)
        if is_string(value):
            raise StataError(109, "type mismatch")
        return bool(float(value) != 0)

    # -- single commands ---------------------------------------------------------------------
    def execute(self, text: str, lines: list[LogicalLine] | None = None, i: int = 0) -> None:
        """Run one expanded command line (with prefixes)."""
        text = text.strip()
        if not text:
            return
        if text.startswith(("!", "shell ", "winexec", "unix ", "xshell")) or text == "shell":
            raise StataError(199, "shell commands are not available: the embedded engine runs "
                                  "confined (no shell, no network, no files outside the "
                                  "working directory)")
        if re.match(r"^if\b", text):
            cond, command = split_if(text)
            if self.truth(cond):
                self.execute(command)
            return
        if re.match(r"^else\b", text):
            return
        self.with_prefixes(text, None)

    def with_prefixes(self, text: str, block: Callable[[], None] | None) -> None:
        """Peel ``capture``/``quietly``/``noisily``/``by`` off ``text`` and run the rest."""
        m = _WORD.match(text)
        word = m.group(1) if m else ""
        rest = m.group(2).lstrip() if m else text
        if rest.startswith(":") and word in ("quietly", "qui", "noisily", "noi", "capture", "cap"):
            rest = rest[1:].lstrip()
        log = self.session.log
        if word and abbreviates(word, "capture"):
            with self._silenced():
                try:
                    self.with_prefixes(rest, block)
                    self.session.rc = 0
                except StataError as err:
                    self.session.rc = err.code
            return
        if word and abbreviates(word, "quietly"):
            log.quiet += 1
            try:
                self.with_prefixes(rest, block)
            finally:
                log.quiet -= 1
            return
        if word and abbreviates(word, "noisily"):
            saved = (log.quiet, log.silent)
            log.quiet = log.silent = 0
            try:
                self.with_prefixes(rest, block)
            except StataError as err:
                log.error(err)
                raise
            finally:
                log.quiet, log.silent = saved
            return
        if word == "version" and ":" in rest:
            self.with_prefixes(rest.split(":", 1)[1], block)
            return
        if word == "by" or (word and abbreviates(word, "bysort")):
            run_by(self.session, word, rest)
            return
        if block is not None:
            block()
            return
        self.dispatch(text)

    @contextmanager
    def _silenced(self) -> Iterator[None]:
        log = self.session.log
        log.silent += 1
        try:
            yield
        finally:
            log.silent -= 1

    def dispatch(self, text: str) -> None:
        """Run a command without prefixes: a program, or a registered command."""
        m = _WORD.match(text)
        if m is None:
            raise UnrecognizedCommand(text.split()[0] if text.split() else text)
        word, rest = m.group(1), m.group(2).strip()
        if word in self.session.programs:
            self.call_program(self.session.programs[word], rest)
            return
        try:
            entry = registry.lookup(word)
        except StataError:
            if not self._load_ado(word):
                raise
            self.call_program(self.session.programs[word], rest)
            return
        try:
            args = entry.parse(rest, self.session)
            if entry.rclass:
                self.session.r.clear()
            entry.func(self.session, args)
        except (StataError, ExitRequest, LoopControl):
            raise
        except Exception as exc:  # a gap in the engine must fail the command, not the run
            raise internal_error(exc) from exc

    # -- programs ----------------------------------------------------------------------------
    def load_program(self, word: str) -> bool:
        return word in self.session.programs or self._load_ado(word)

    def _load_ado(self, word: str) -> bool:
        """Stata's adopath lookup for a command it does not know: ``<word>.ado`` in the
        working directory (where a job's ado-files are), run to define its programs. True
        when it defined ``word``."""
        path = self.session.cwd / f"{word}.ado"
        if not path.is_file() or not path.resolve().is_relative_to(self.session.workdir):
            return False
        lines = logical_lines(path.read_text(encoding="utf-8", errors="replace"))
        self.session.log.quiet += 1
        try:
            self.run(lines, echo=False)
        finally:
            self.session.log.quiet -= 1
        return word in self.session.programs

    def _define_program(self, lines: list[LogicalLine], i: int, end: int) -> None:
        header = macros.expand(lines[i].text, self.env)
        words = header.replace(",", " , ").split()
        words = words[2:] if len(words) > 1 and abbreviates(words[1], "define", "define") \
            else words[1:]
        if not words:
            raise StataError(198, "program name required")
        name = words[0]
        if name in self.session.programs:
            raise StataError(110, f"program {name} already defined")
        opts = {w.lower() for w in words[1:] if w != ","}
        byable = next((o[len("byable("):].rstrip(")") for o in opts if o.startswith("byable(")),
                      "")
        self.session.programs[name] = Program(
            name, lines[i + 1 : end], rclass="rclass" in opts, eclass="eclass" in opts,
            byable=byable, sortpreserve="sortpreserve" in opts)

    def call_program(self, program: Program, args: str) -> None:
        """Run a user program with its own locals (``0``, ``1``, ...); restore on return."""
        session = self.session
        frame = Frame()
        frame.locals["0"] = args
        for k, word in enumerate(macros.split_words(args), start=1):
            frame.locals[str(k)] = word
        if program.rclass:
            frame.returns = Results()
        order = (PreservedOrder(session.data, session.tempname())
                 if program.sortpreserve else None)
        session.frames.append(frame)
        try:
            self.run(program.body, echo=False)
        except ExitRequest as ex:
            if ex.code:
                raise StataError(ex.code, "") from None
        finally:
            session.frames.pop()
            if frame.preserved is not None:
                session.data, session.tsset = frame.preserved, frame.preserved_tsset
            if order is not None:
                order.restore(session.data)
        if frame.returns is not None:  # r() becomes exactly what the program returned
            session.post_r(frame.returns)


def _is_loop(word: str) -> bool:
    return word in ("foreach", "while") or abbreviates(word, "forvalues")


_PREFIX_WORDS = ("capture", "quietly", "noisily")


def _split_prefixes(text: str) -> tuple[str, str]:
    """``quietly foreach ...`` → ("quietly", "foreach ..."): prefixes of a braced construct."""
    prefixes: list[str] = []
    rest = text
    while True:
        m = re.match(r"^([A-Za-z]+)(\s*:\s*|\s+|$)", rest)
        if m is None or not any(abbreviates(m.group(1), w) for w in _PREFIX_WORDS):
            return " ".join(prefixes), rest.strip()
        prefixes.append(m.group(1))
        rest = rest[m.end():]


def split_if(text: str) -> tuple[str, str]:
    """``if exp command`` on one line: split the expression from the command."""
    body = text[2:].strip()
    toks = tokenize(body)
    depth, pos = 0, 0
    for k, (kind, tok) in enumerate(toks):
        depth += tok in ("(", "[")
        depth -= tok in (")", "]")
        pos = body.find(tok, pos) + len(tok)
        if depth == 0 and k + 1 < len(toks):
            nk, nt = toks[k + 1]
            if (kind in ("name", "num", "str", "miss") and nk == "name") or (
                    tok == ")" and nk == "name" and not nt.startswith("_")):
                return body[:pos], body[pos:]
    raise StataError(198, "if: command expected after the condition")


__all__ = ["Interpreter", "LoopControl", "split_if"]
