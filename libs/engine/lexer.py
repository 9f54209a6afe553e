"""Lexer: turns do-file text into logical command lines, as Stata reads a do-file.

Handles ``//`` and ``///`` (only after a blank or at line start, as Stata requires), nested
``/* */`` across lines (treated as a blank), ``*`` comments at the start of a command,
``#delimit ;`` / ``#delimit cr``, and keeps the physical source lines of each command so the
log can echo it as typed.  Quotes (``"..."`` and compound `` `"..."' ``) protect their content.
"""

from __future__ import annotations

import re

import msgspec

#: ``#delimit ;`` / ``#delimit;`` / ``#d cr`` (the blank before ``;`` is optional, as in Stata)
_DELIMIT = re.compile(r"^\s*#d(?:e|el|eli|elim|elimi|elimit)?(?:\s*(;)|\s+(cr))\s*$",
                      re.IGNORECASE)


class LogicalLine(msgspec.Struct, kw_only=True, frozen=True):
    """One command after comments and continuations are resolved."""

    text: str  #: the command text, comments removed, continuations joined
    lineno: int  #: physical line number where the command starts (1-based)
    source: tuple[str, ...]  #: the physical lines as typed, for the log echo


class _Scanner:
    """Character scanner keeping comment depth and quote state across physical lines."""

    def __init__(self) -> None:
        self.depth = 0  # nesting of /* */
        self.out: list[str] = []

    def feed(self, line: str) -> tuple[bool, bool]:
        """Scan one physical line; return (continued with ///, saw a // comment)."""
        i, n = 0, len(line)
        quote = 0  # 0 none, -1 plain "..", >0 compound-quote depth
        while i < n:
            ch = line[i]
            two = line[i : i + 2]
            if self.depth:
                if two == "/*":
                    self.depth += 1
                    i += 2
                elif two == "*/":
                    self.depth -= 1
                    i += 2
                    if not self.depth:
                        self.out.append(" ")
                else:
                    i += 1
                continue
            if quote == -1:
                self.out.append(ch)
                quote = 0 if ch == '"' else -1
                i += 1
                continue
            if quote > 0:
                if two == '`"':
                    quote += 1
                elif two == "\"'":
                    quote -= 1
                if two in ('`"', "\"'"):
                    self.out.append(two)
                    i += 2
                    if not quote:
                        quote = 0
                    continue
                self.out.append(ch)
                i += 1
                continue
            blank_before = i == 0 or line[i - 1].isspace()
            if two == "/*":
                self.depth = 1
                i += 2
            elif two == "//" and blank_before:
                return line.startswith("///", i), True
            elif two == '`"':
                quote = 1
                self.out.append(two)
                i += 2
            else:
                if ch == '"':
                    quote = -1
                self.out.append(ch)
                i += 1
        return False, False


def logical_lines(source: str) -> list[LogicalLine]:
    """Split do-file ``source`` into commands, honouring comments, ``///`` and ``#delimit``."""
    physical = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    result: list[LogicalLine] = []
    semicolon = False
    scan = _Scanner()
    start = 0
    pending: list[str] = []

    def emit(text: str, lineno: int, src: list[str]) -> None:
        stripped = text.strip()
        if stripped and not stripped.startswith("*"):
            result.append(LogicalLine(text=stripped, lineno=lineno, source=tuple(src)))

    for idx, line in enumerate(physical):
        if not scan.depth and not pending and not scan.out:
            match = _DELIMIT.match(line)
            if match:
                semicolon = match.group(1) == ";"
                continue
            start = idx
        pending.append(line)
        continued, _ = scan.feed(line)
        if semicolon:
            text = "".join(scan.out)
            while ";" in text:
                stmt, _, text = text.partition(";")
                emit(stmt, start + 1, pending)
                pending = [line]
                start = idx
            scan.out = [text, " "] if text.strip() else []
            if not scan.out:
                pending = []
            continue
        if continued or scan.depth:
            scan.out.append(" ")
            continue
        emit("".join(scan.out), start + 1, pending)
        scan.out = []
        pending = []
    if scan.out:
        emit("".join(scan.out), start + 1, pending)
    return result


def block_end(lines: list[LogicalLine], i: int) -> int:
    """Index of the line closing the braced block opened at ``lines[i]``; ``len(lines)`` when
    no line closes it."""
    depth = 1
    for j in range(i + 1, len(lines)):
        text = lines[j].text.strip()
        if text.startswith("}"):
            depth -= 1
            if depth == 0:
                return j
        if text.endswith("{"):
            depth += 1
    return len(lines)
