"""The do-file safety policy: what a do-file SS runs may not do. One rule set serves the
library's templates and clients' own do-files (docs/dofiles.md, "Safety").

Each refused line names the rule it breaks:

- ``shell`` — escapes to the operating system: ``shell``/``!``, ``winexec``, ``xshell``,
  ``unix``;
- ``foreign_code`` — other runtimes that can do anything: ``mata``, ``python``, ``java``,
  ``javacall``, ``plugin``;
- ``working_directory`` — where Stata looks for code or how much it may take: ``sysdir``,
  ``adopath``, ``personal``, and ``set`` of interpreter paths, the network or the memory
  ceiling (``set maxvar`` and display settings are fine);
- ``install`` — installing or updating code: ``net``, ``ado``, ``update``, ``adoupdate``,
  ``github``, ``ssc`` (a client's ``ssc install <package>`` is the one exception: it means
  "make sure the package is there", never a download; docs/dofiles.md);
- ``outside_workspace`` — every file a do-file touches lies inside its job's workspace:
  ``webuse``, ``sysuse``, ``odbc``, ``window``, ``translate``, ``unzipfile`` and network
  locations are refused, and so is a path that is absolute, starts at a home directory,
  names a drive or a share, or climbs with ``..``;
- ``environment`` — reading the worker's environment (`` `:environment' ``, `` `:sysdir' ``);
- ``dynamic_command`` — a command word spelled by a macro no static reading can resolve;
- templates only: a template is one self-contained file working in its workspace's root, so
  ``do``, ``run`` and ``include`` (``other_files``), ``cd`` (``working_directory``) and
  ``copy`` (``outside_workspace``) have no place in one; a client's do-file may use them on
  paths inside its workspace.

The policy reads lines the way Stata does (the engine's lexer: comments, ``///`` and
``#delimit`` resolved) and strips the prefixes that can precede a command (``capture``,
``quietly``, ``noisily``, ``by ...:``). A template's lines are judged as written, and any
text in them that looks like an absolute or climbing path is refused (library code has no
reason to come near one). A client's do-file is judged after ``libs.dofiles.statements`` has
resolved its macros, and its paths where commands take file names (``libs.dofiles.files``):
``generate r = a /b`` is arithmetic, not a path. It is a deny list by necessity (Stata has
hundreds of commands), and errs on the side of refusing.
"""

from __future__ import annotations

import re
from enum import StrEnum

import msgspec

from libs.contracts.errors import ErrorCode, JobFailed
from libs.engine.lexer import logical_lines

#: Marks text a macro supplies that no static reading can know (``libs.dofiles.statements``).
UNRESOLVED = "\x00"


class Profile(StrEnum):
    """Whose do-file the policy reads."""

    #: A library template, rendered by the worker.
    TEMPLATE = "template"
    #: A client's own do-file (and the do- and ado-files it brings).
    DOFILE = "dofile"


#: Command word (any accepted abbreviation) → the rule it breaks, for every do-file.
_FORBIDDEN: dict[str, str] = {}
#: Extra words a template may not use (a client's do-file may, with its paths checked).
_TEMPLATE_ONLY: dict[str, str] = {}


def _forbid(table: dict[str, str], rule: str, word: str, min_abbrev: int | None = None) -> None:
    """Forbid ``word`` and its abbreviations down to ``min_abbrev`` letters."""
    for length in range(min_abbrev or len(word), len(word) + 1):
        table[word[:length]] = rule


for _word, _min in (("shell", 2), ("winexec", None), ("xshell", None), ("unix", None)):
    _forbid(_FORBIDDEN, "shell", _word, _min)
for _word in ("mata", "python", "java", "javacall", "plugin"):
    _forbid(_FORBIDDEN, "foreign_code", _word)
for _word in ("sysdir", "adopath", "personal"):
    _forbid(_FORBIDDEN, "working_directory", _word)
for _word in ("net", "ssc", "ado", "update", "adoupdate", "github"):
    _forbid(_FORBIDDEN, "install", _word)
for _word in ("webuse", "sysuse", "window", "translate", "odbc", "unzipfile"):
    _forbid(_FORBIDDEN, "outside_workspace", _word)
for _word in ("do", "run", "include"):
    _forbid(_TEMPLATE_ONLY, "other_files", _word)
for _word in ("cd", "chdir"):
    _forbid(_TEMPLATE_ONLY, "working_directory", _word)
_forbid(_TEMPLATE_ONLY, "outside_workspace", "copy")

#: Prefixes that may stand before a command; ``by``/``bysort`` end with a colon.
_PREFIX = re.compile(
    r"^(?:cap(?:t|tu|tur|ture)?|qui(?:e|et|etl|etly)?|n(?:o|oi|ois|oisi|oisil|oisily)?"
    r"|timer|version\s+[\d.]+\s*:?)(?:\s+|\s*:\s*)",
    re.IGNORECASE,
)
_CAPTURE = re.compile(r"^cap(?:t|tu|tur|ture)?\b", re.IGNORECASE)
_BY_PREFIX = re.compile(r"^(?:by|bys|byso|bysor|bysort)\b[^:]*:\s*")
_COMMAND = re.compile(r"^(!|[A-Za-z_][A-Za-z0-9_]*)")
#: Forms whose rest is itself a command line: ``if exp cmd``, ``else cmd``, ``while``.
_COMPOUND = frozenset({"if", "else", "while", "foreach", "forvalues"})
#: ``ssc install <package> [, replace]``: a client's way of saying what it needs.
_SSC_INSTALL = re.compile(r"^ssc\s+inst(?:a|al|all)?\s+[A-Za-z0-9_]+\s*(?:,\s*replace\s*)?$")
#: Settings that change where Stata finds code, reach the network or lift the memory
#: ceiling the worker set.
_SET_FORBIDDEN = re.compile(
    r"^set\s+(python\w*|java\w*|adosize|checksum|httpproxy\w*|shell|odbc\w*|update_\w+"
    r"|fredkey|timeout[12]|max_memory|min_memory|segmentsize)\b",
    re.IGNORECASE,
)
_ABSOLUTE = re.compile(r"""(?:^|[\s"`(=,])(?:/[^\s/*]|~[/\\]|[A-Za-z]:[\\/]|\\\\)""")
_PARENT = re.compile(r"""(?:^|[\s"'`/\\(=,])\.\.(?:[/\\\s"',)]|$)""")
_URL = re.compile(r"\b(?:https?|ftp|file)://", re.IGNORECASE)
_ENV_MACRO = re.compile(
    r":\s*(?:env|envi|envir|enviro|environ|environm|environme"
    r"|environmen|environment|sysdir)\b",
    re.IGNORECASE,
)


class UnsafeLine(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One line of a template the safety policy refuses."""

    code: ErrorCode = ErrorCode.DOFILE_UNSAFE
    rule: str
    lineno: int
    text: str
    message: str


class DoFileUnsafe(JobFailed):
    """A rendered template breaks the safety policy; ``findings`` lists the offending lines."""

    def __init__(self, findings: list[UnsafeLine]) -> None:
        first = findings[0]
        super().__init__(
            ErrorCode.DOFILE_UNSAFE,
            f"do-file refused: line {first.lineno}: {first.message}: {first.text}",
            findings=msgspec.to_builtins(findings),
        )
        self.findings = findings


def do_file_findings(source: str) -> list[UnsafeLine]:
    """Every line of template ``source`` the policy refuses, in file order (empty when safe)."""
    findings: list[UnsafeLine] = []
    for line in logical_lines(source):
        for rule, message in line_violations(line.text, Profile.TEMPLATE):
            findings.append(
                UnsafeLine(rule=rule, lineno=line.lineno, text=line.text, message=message)
            )
    return findings


def check_do_file(source: str) -> None:
    """Raise ``DoFileUnsafe`` (DOFILE_UNSAFE, with line numbers) if template ``source`` is
    unsafe."""
    findings = do_file_findings(source)
    if findings:
        raise DoFileUnsafe(findings)


def command_words(source: str) -> list[str]:
    """The command word of every logical line, prefixes stripped, in order of appearance."""
    words: list[str] = []
    for line in logical_lines(source):
        word = split_command(line.text)[0]
        if word and word not in ("{", "}") and word not in words:
            words.append(word)
    return words


def split_command(text: str) -> tuple[str, str]:
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


def is_captured(text: str) -> bool:
    """Whether the line runs under ``capture`` (its failure is the do-file's own business)."""
    rest = text.strip()
    while True:
        if _CAPTURE.match(rest):
            return True
        stripped = _BY_PREFIX.sub("", _PREFIX.sub("", rest, count=1), count=1)
        if stripped == rest:
            return False
        rest = stripped


def line_violations(text: str, profile: Profile) -> list[tuple[str, str]]:
    """(rule, message) for each way one logical line breaks the policy.

    For ``Profile.DOFILE`` the text is the line after static macro resolution, and paths are
    judged by the caller with ``path_violation`` where commands take file names.
    """
    problems: list[tuple[str, str]] = []
    word, rest = split_command(text)
    rule = _rule(word, profile)
    if rule and not (profile is Profile.DOFILE and _SSC_INSTALL.match(f"{word} {rest.strip()}")):
        problems.append((rule, f"command {word!r} is not allowed"))
    elif word in _COMPOUND and not text.rstrip().endswith("{"):
        # `if exp cmd` / `else cmd`: any forbidden word in the rest may be the command.
        for token in re.findall(r"!|[A-Za-z_]\w*", rest):
            rule = _rule(token, profile)
            if rule:
                problems.append((rule, f"command {token!r} is not allowed"))
                break
    if (not word and rest.startswith(("`", "$"))) or UNRESOLVED in word or (
            not word and rest.startswith(UNRESOLVED)):
        # A command word spelled by a macro escapes every check above.
        problems.append(("dynamic_command", "a command built from a macro that cannot be "
                                            "resolved before the run is not allowed"))
    if _SET_FORBIDDEN.match(f"{word} {rest.strip()}"):
        problems.append(("working_directory", "this setting is not allowed"))
    if _URL.search(text):
        problems.append(("outside_workspace", "network locations are not allowed"))
    if profile is Profile.TEMPLATE:
        if _ABSOLUTE.search(text):
            problems.append(("outside_workspace", "absolute paths are not allowed"))
        if _PARENT.search(text):
            problems.append(("outside_workspace", "'..' in a path is not allowed"))
    if _ENV_MACRO.search(text):
        problems.append(("environment", "reading the environment is not allowed"))
    return problems


def path_violation(path: str) -> str:
    """Why file name ``path`` reaches outside the workspace, or '' when it stays inside."""
    text = path.strip()
    if _URL.search(text) or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text):
        return "network locations are not allowed"
    if text.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", text):
        return "absolute paths are not allowed"
    if any(part == ".." for part in re.split(r"[/\\]", text)):
        return "'..' in a path is not allowed"
    return ""


def _rule(word: str, profile: Profile) -> str | None:
    if word == "!":
        return "shell"
    key = word.lower()
    rule = _FORBIDDEN.get(key)
    if rule is None and profile is Profile.TEMPLATE:
        rule = _TEMPLATE_ONLY.get(key)
    return rule
