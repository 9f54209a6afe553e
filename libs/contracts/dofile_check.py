"""The check's answer (``libs.dofiles.check``), as records the API sends: light to import."""

from __future__ import annotations

from enum import StrEnum

import msgspec


class Access(StrEnum):
    """What a command does with a file."""

    READ = "read"
    WRITE = "write"
    #: removes it (``erase``)
    DELETE = "delete"
    #: creates or removes a folder, or lists one (``mkdir``, ``rmdir``, ``dir``)
    FOLDER = "folder"
    #: makes it the working folder (``cd``)
    CHDIR = "cd"
    #: only looks whether it is there (``confirm file``), or a ``using`` file of a command
    #: whose direction is not known
    OTHER = "other"


class Kind(StrEnum):
    """What kind of problem a line has."""

    #: breaks the safety policy (``rule`` says which rule)
    POLICY = "policy"
    #: a command the embedded engine does not implement (r(199))
    UNKNOWN_COMMAND = "unknown_command"
    #: an option, ``using`` or setting the embedded engine does not take (r(198), r(101)...)
    UNSUPPORTED = "unsupported"
    #: the line cannot be read (an unmatched macro quote): r(198) on every engine
    SYNTAX = "syntax"
    #: reads a file that was neither provided nor written earlier by the do-file (r(601))
    MISSING_FILE = "missing_file"
    #: a file name built at run time, which no check can judge before the run
    UNRESOLVED_PATH = "unresolved_path"
    #: writes or deletes a file SS keeps for itself (main.do, main.log, run.json, ss_*)
    RESERVED_NAME = "reserved_name"
    #: writes into a folder the do-file does not make
    MISSING_FOLDER = "missing_folder"
    #: ``ssc install`` of a package an engine may not have
    PACKAGE = "package"
    #: a provided do- or ado-file whose text the check was not given
    NOT_CHECKED = "not_checked"


class Problem(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One thing on one line that will not work (error) or may not (warning)."""

    #: the file the line is in: the do-file, or a do- or ado-file it brings
    file: str
    line: int
    #: the line as written
    text: str
    kind: Kind
    #: the engines this problem stops; empty for a warning
    engines: list[str]
    message: str
    #: the policy rule broken (kind ``policy``)
    rule: str = ""
    #: Stata's return code the run would stop with, when there is one
    rc: int | None = None
    command: str = ""
    path: str = ""

    @property
    def severity(self) -> str:
        return "error" if self.engines else "warning"


class FileAccess(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A file the do-file touches, as far as can be known before it runs."""

    file: str
    line: int
    #: the workspace path (with the extension Stata adds), or the name as written when it is
    #: built at run time
    path: str
    access: Access
    #: for reads: the file is provided (uploaded) or written earlier by the do-file
    available: bool = True


class CheckReport(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """The check's answer."""

    #: the engines that can run the do-file as it is
    engines: list[str]
    problems: list[Problem]
    reads: list[FileAccess]
    writes: list[FileAccess]

    def runs_on(self, engine: str) -> bool:
        return engine in self.engines

    def blocking(self, engine: str) -> list[Problem]:
        """The errors that stop ``engine``."""
        return [p for p in self.problems if engine in p.engines]
