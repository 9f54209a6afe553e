"""The files a command reads and writes, found where Stata's commands take file names.

``file_uses(command)`` reads one command line (macros already resolved) the way the command's
syntax places its file names: ``use file``/``use vars using file``, ``merge ... using file``,
``append using f1 f2``, ``import delimited [using] file``, ``export excel [vars] using file``,
``save file``, ``synth ..., keep(file)``, ``log using file``, ``graph export file``,
``putexcel set file``, ``file open h using file, read|write``, ``copy from to``, ``do file``,
and so on; any other command's ``using`` clause (``esttab using``, ``outreg2 using``, a
client's ado) and ``saving()`` / ``export()`` options count too. Each use says whether it
reads, writes, deletes, makes a folder, changes the working folder or only probes, and the
extension Stata adds to a name that has none (``use data`` opens ``data.dta``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from libs.contracts.dofile_check import Access
from libs.dofiles.policy import split_command
from libs.engine import macros, textscan


@dataclass(frozen=True)
class FileUse:
    """One file name a command takes."""

    path: str
    access: Access
    #: the extension Stata adds when the name has none (``.dta`` for ``use``), or ""
    default_ext: str = ""


def _abbreviations(*entries: tuple[str, int]) -> dict[str, str]:
    table: dict[str, str] = {}
    for name, shortest in entries:
        for length in range(shortest, len(name) + 1):
            table.setdefault(name[:length], name)
    return table


#: Stata's shortest abbreviation of each command that takes file names.
_COMMANDS = _abbreviations(
    ("use", 1), ("save", 2), ("saveold", 5), ("merge", 2), ("append", 3), ("joinby", 6),
    ("cross", 5), ("import", 3), ("export", 3), ("insheet", 4), ("outsheet", 4),
    ("infile", 3), ("infix", 5), ("log", 3), ("cmdlog", 6), ("do", 2), ("run", 2),
    ("include", 7), ("file", 4), ("graph", 2), ("estimates", 3), ("putexcel", 8),
    ("putdocx", 7), ("putpdf", 6), ("copy", 4), ("erase", 5), ("rm", 2), ("mkdir", 5),
    ("rmdir", 5), ("cd", 2), ("chdir", 5), ("type", 4), ("checksum", 8), ("confirm", 4),
    ("findfile", 8), ("dir", 3), ("ls", 2), ("postfile", 8), ("xmlsave", 7), ("xmluse", 6),
    ("filefilter", 10), ("collect", 7), ("zipfile", 7), ("shp2dta", 7), ("spshape2dta", 11),
)
#: Extensions ``import``/``export`` add, by subcommand (Stata's manuals).
_IMPORT_EXT = {"delimited": ".csv", "excel": ".xls", "sas": ".sas7bdat", "spss": ".sav",
               "sasxport5": ".xpt", "sasxport8": ".v8xpt", "dbase": ".dbf"}
_EXPORT_EXT = {"delimited": ".csv", "excel": ".xls", "sasxport5": ".xpt",
               "sasxport8": ".v8xpt", "dbase": ".dbf"}
_SUBCOMMANDS = {name: _abbreviations(*entries) for name, entries in {
    "import": (("delimited", 3), ("excel", 3), ("sas", 3), ("spss", 4), ("sasxport5", 9),
               ("sasxport8", 9), ("dbase", 5)),
    "export": (("delimited", 3), ("excel", 3), ("sasxport5", 9), ("sasxport8", 9),
               ("dbase", 5)),
}.items()}
#: Options naming a file the command writes (``bootstrap ..., saving(f)``, ``etable,
#: export(f)``).
_FILE_OPTIONS = re.compile(r"^(saving|sav|savi|savin|export|exp|expo|expor)\($", re.IGNORECASE)


def file_uses(command: str) -> list[FileUse]:
    """Every file name the command line ``command`` takes (prefixes already allowed)."""
    word, rest = split_command(command)
    main, options = _split_options(rest)
    uses = _by_command(_COMMANDS.get(word.lower(), word.lower()), main, options)
    if uses is None:
        # Any other command: its ``using`` clause names a file, direction unknown.
        uses = [FileUse(p, Access.OTHER) for p in _using(main)]
    return uses + _option_files(options)


def with_extension(use: FileUse) -> str:
    """The file name Stata opens: ``use.path`` with ``default_ext`` when it has none."""
    name = use.path.rstrip("/")
    last = name.rpartition("/")[2]
    if use.default_ext and "." not in last:
        return name + use.default_ext
    return name


def _by_command(name: str, main: str, options: str) -> list[FileUse] | None:
    """The uses of a known command; None for commands this table does not know."""
    words = _words(main)
    first = words[:1]
    read, write = Access.READ, Access.WRITE
    if name == "use":
        return [FileUse(p, read, ".dta") for p in (_using(main) or first)]
    if name in ("save", "saveold"):
        return [FileUse(p, write, ".dta") for p in first]
    if name in ("merge", "append", "joinby", "cross"):
        return [FileUse(p, read, ".dta") for p in _using(main)]
    if name in ("import", "export"):
        sub = _SUBCOMMANDS[name].get(words[0].lower(), words[0].lower()) if words else ""
        exts = _IMPORT_EXT if name == "import" else _EXPORT_EXT
        if sub not in exts:
            return [FileUse(p, Access.OTHER) for p in _using(main)]
        after = main.split(None, 1)[1] if len(words) > 1 else ""
        paths = _using(after) or _words(after)[:1]
        return [FileUse(p, read if name == "import" else write, exts[sub]) for p in paths]
    if name in ("insheet", "infile", "infix"):
        return [FileUse(p, read, ".raw") for p in _using(main)]
    if name == "outsheet":
        return [FileUse(p, write, ".out") for p in _using(main)]
    if name in ("log", "cmdlog"):
        ext = ".log" if name == "cmdlog" or "text" in options.lower() else ".smcl"
        return [FileUse(p, write, ext) for p in _using(main)]
    if name in ("do", "run", "include"):
        return [FileUse(p, read, ".do") for p in first]
    if name == "file":
        return _file_command(main, options)
    if name == "synth":  # synth ..., keep(file): its results dataset
        return [FileUse(macros.strip_quotes(inner.rstrip(")")), write, ".dta")
                for token in textscan.split_top(options)
                for opt, paren, inner in [token.partition("(")]
                if paren and opt.lower() in ("k", "ke", "kee", "keep")]
    if name == "graph":
        return _graph(words)
    if name == "estimates":
        verb = words[0].lower() if words else ""
        if verb in ("save", "sav"):
            return [FileUse(p, write, ".ster") for p in words[1:2]]
        if verb in ("use", "describe", "des") and len(words) > 1:
            return [FileUse(p, read, ".ster") for p in _using(main) or words[1:2]]
        return []
    if name in ("putexcel", "putdocx", "putpdf", "collect"):
        verb = words[0].lower() if words else ""
        ext = {"putexcel": ".xlsx", "putdocx": ".docx", "putpdf": ".pdf"}.get(name, "")
        if (name == "putexcel" and verb == "set") or verb in ("save", "export"):
            return [FileUse(p, write, ext) for p in words[1:2]]
        return []
    if name in ("copy", "filefilter"):
        return [FileUse(p, a) for p, a in zip(words[:2], (read, write), strict=False)]
    if name in ("erase", "rm"):
        return [FileUse(p, Access.DELETE) for p in first]
    if name in ("mkdir", "rmdir", "dir", "ls"):
        return [FileUse(p, Access.FOLDER) for p in first]
    if name in ("cd", "chdir"):
        return [FileUse(p, Access.CHDIR) for p in first]
    if name in ("type", "checksum", "xmluse", "shp2dta", "spshape2dta"):
        return [FileUse(p, read) for p in (_using(main) or first)]
    if name in ("confirm", "findfile"):
        paths = words[2:3] if words[:2] == ["new", "file"] else (
            words[1:2] if words[:1] == ["file"] else first if name == "findfile" else [])
        return [FileUse(p, Access.OTHER) for p in paths]
    if name in ("postfile", "xmlsave", "zipfile"):
        paths = _using(main) or (first if name == "xmlsave" else [])
        return [FileUse(p, write, ".dta" if name == "postfile" else "") for p in paths]
    return None


def _file_command(main: str, options: str) -> list[FileUse]:
    found = re.match(r"^\s*open\s+\w+\s+using\s+(.+)$", main, re.DOTALL)
    if found is None:
        return []
    paths = _words(found.group(1))[:1]
    flags = options.lower().split()
    access = Access.WRITE if "write" in flags else Access.READ
    return [FileUse(p, access) for p in paths]


def _graph(words: list[str]) -> list[FileUse]:
    verb = words[0].lower() if words else ""
    if verb in ("export",):
        return [FileUse(p, Access.WRITE) for p in words[1:2]]
    if verb in ("save", "sa", "sav"):
        return [FileUse(p, Access.WRITE, ".gph") for p in words[-1:] if len(words) > 1]
    if verb in ("use",):
        return [FileUse(p, Access.READ, ".gph") for p in words[1:2]]
    return []


def _split_options(rest: str) -> tuple[str, str]:
    """The main part of a command and the text of its options (after the top-level comma)."""
    at = textscan.find_top(rest, ",")
    return (rest, "") if at < 0 else (rest[:at], rest[at + 1 :])


def _words(text: str) -> list[str]:
    return macros.split_words(text.strip())


def _using(main: str) -> list[str]:
    """The file names after a top-level ``using`` (up to ``if``/``in``), or []."""
    at = textscan.find_word(main, "using")
    if at < 0:
        return []
    tail = main[at + 5 :]
    names = []
    for word in textscan.split_top(tail):
        if word in ("if", "in"):
            break
        names.append(macros.strip_quotes(word))
    return names


def _option_files(options: str) -> list[FileUse]:
    """Files named by ``saving()``/``export()`` options."""
    uses = []
    for token in textscan.split_top(options):
        name, paren, inner = token.partition("(")
        if paren and _FILE_OPTIONS.match(name + "("):
            target = textscan.split_top(inner.rstrip(")").partition(",")[0])
            if target:
                ext = ".dta" if name.lower().startswith("sav") else ""
                uses.append(FileUse(macros.strip_quotes(target[0]), Access.WRITE, ext))
    return uses
