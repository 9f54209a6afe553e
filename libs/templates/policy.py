"""The do-file safety policy: what a rendered do-file may not do.

The policy reads the do-file the way Stata does (the engine's lexer: comments, ``///`` and
``#delimit`` resolved into logical lines), strips the prefixes that can precede a command
(``capture``, ``quietly``, ``noisily``, ``by ...:``) and refuses:

- escapes to the operating system or other runtimes: ``shell``/``!``, ``winexec``, ``xshell``,
  ``mata``, ``python``, ``java``/``javacall``, ``plugin``;
- changes to where Stata looks for code or writes: ``cd``/``chdir``, ``sysdir``, ``adopath``,
  ``personal``, ``set`` of interpreter paths;
- installing code: ``net``, ``ssc``, ``ado``, ``update``, and running other files: ``do``,
  ``run``, ``include``;
- network datasets (``webuse``, URLs), system datasets (``sysuse``) and the environment;
- command words spelled by a macro (`` `cmd' args``), which no static check can see through;
- any path that is absolute, starts at a home directory or climbs with ``..`` — every file a
  template touches is relative to its workspace, so writing outside it is impossible.

It is a deny list by necessity (Stata has hundreds of commands) and so errs on the side of
refusing: a string that merely looks like an absolute path is refused too.
"""

from __future__ import annotations

import re

from libs.engine.lexer import logical_lines
from libs.templates.errors import DoFileUnsafe, UnsafeLine

#: Command word (any accepted abbreviation) → the rule it breaks.
_FORBIDDEN: dict[str, str] = {}


def _forbid(rule: str, word: str, min_abbrev: int | None = None) -> None:
    """Forbid ``word`` and its abbreviations down to ``min_abbrev`` letters."""
    for length in range(min_abbrev or len(word), len(word) + 1):
        _FORBIDDEN[word[:length]] = rule


for _word, _min in (("shell", 2), ("winexec", None), ("xshell", None)):
    _forbid("shell", _word, _min)
for _word in ("mata", "python", "java", "javacall", "plugin"):
    _forbid("foreign_code", _word)
for _word, _min in (
    ("cd", None),
    ("chdir", None),
    ("sysdir", None),
    ("adopath", None),
    ("personal", None),
):
    _forbid("working_directory", _word, _min)
for _word in ("net", "ssc", "ado", "update", "github"):
    _forbid("install", _word)
for _word in ("do", "run", "include"):
    _forbid("other_files", _word)
for _word in ("webuse", "sysuse", "copy", "window", "translate"):
    _forbid("outside_workspace", _word)

#: Prefixes that may stand before a command; ``by``/``bysort`` end with a colon.
_PREFIX = re.compile(
    r"^(?:cap(?:t|tu|tur|ture)?|qui(?:e|et|etl|etly)?|n(?:o|oi|ois|oisi|oisil|oisily)?"
    r"|timer|version\s+[\d.]+\s*:?)\s+",
    re.IGNORECASE,
)
_BY_PREFIX = re.compile(r"^(?:by|bys|byso|bysor|bysort)\b[^:]*:\s*")
_COMMAND = re.compile(r"^(!|[A-Za-z_][A-Za-z0-9_]*)")
#: Forms whose rest is itself a command line: ``if exp cmd``, ``else cmd``, ``while``.
_COMPOUND = frozenset({"if", "else", "while", "foreach", "forvalues"})
_SET_FORBIDDEN = re.compile(
    r"^set\s+(python\w*|java\w*|adosize|checksum|httpproxy\w*|shell)\b", re.IGNORECASE
)
_ABSOLUTE = re.compile(r"""(?:^|[\s"`(=,])(?:/[^\s/*]|~[/\\]|[A-Za-z]:[\\/]|\\\\)""")
_PARENT = re.compile(r"""(?:^|[\s"'`/\\(=,])\.\.(?:[/\\\s"',)]|$)""")
_URL = re.compile(r"\b(?:https?|ftp|file)://", re.IGNORECASE)
_ENV_MACRO = re.compile(
    r":\s*(?:env|envi|envir|enviro|environ|environm|environme"
    r"|environmen|environment|sysdir)\b",
    re.IGNORECASE,
)


def do_file_findings(source: str) -> list[UnsafeLine]:
    """Every line of ``source`` the policy refuses, in file order (empty when safe)."""
    findings: list[UnsafeLine] = []
    for line in logical_lines(source):
        for rule, message in _line_problems(line.text):
            findings.append(
                UnsafeLine(rule=rule, lineno=line.lineno, text=line.text, message=message)
            )
    return findings


def check_do_file(source: str) -> None:
    """Raise ``DoFileUnsafe`` (code DOFILE_UNSAFE, with line numbers) if ``source`` is unsafe."""
    findings = do_file_findings(source)
    if findings:
        raise DoFileUnsafe(findings)


def command_words(source: str) -> list[str]:
    """The command word of every logical line, prefixes stripped, in order of appearance."""
    words: list[str] = []
    for line in logical_lines(source):
        word = _command(line.text)[0]
        if word and word not in ("{", "}") and word not in words:
            words.append(word)
    return words


def _command(text: str) -> tuple[str, str]:
    """The command word of one logical line and the rest after it, prefixes stripped."""
    rest = text.strip()
    while True:
        stripped = _PREFIX.sub("", rest, count=1)
        stripped = _BY_PREFIX.sub("", stripped, count=1)
        if stripped == rest:
            break
        rest = stripped
    match = _COMMAND.match(rest)
    if not match:
        return "", rest
    return match.group(1), rest[match.end() :]


def _line_problems(text: str) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    word, rest = _command(text)
    rule = _FORBIDDEN.get(word.lower()) if word != "!" else "shell"
    if rule:
        problems.append((rule, f"command {word!r} is not allowed"))
    elif word in _COMPOUND and not text.rstrip().endswith("{"):
        # `if exp cmd` / `else cmd`: any forbidden word in the rest may be the command.
        for token in re.findall(r"!|[A-Za-z_]\w*", rest):
            rule = _FORBIDDEN.get(token.lower()) if token != "!" else "shell"
            if rule:
                problems.append((rule, f"command {token!r} is not allowed"))
                break
    if not word and rest.startswith(("`", "$")):
        # A command word spelled by a macro escapes every check above.
        problems.append(("dynamic_command", "a command built from a macro is not allowed"))
    if _SET_FORBIDDEN.match(f"{word} {rest.strip()}"):
        problems.append(("working_directory", "this setting is not allowed"))
    if _URL.search(text):
        problems.append(("outside_workspace", "network locations are not allowed"))
    if _ABSOLUTE.search(text):
        problems.append(("outside_workspace", "absolute paths are not allowed"))
    if _PARENT.search(text):
        problems.append(("outside_workspace", "'..' in a path is not allowed"))
    if _ENV_MACRO.search(text):
        problems.append(("environment", "reading the environment is not allowed"))
    return problems
