"""The do-file check: per line, what will not work here, and which engines can run it.

``check_dofile`` reads a client's do-file (and the do- and ado-files it brings) statically
(``statements``), then judges every command line:

- the safety policy (``policy``): a refused line stops every engine;
- the embedded engine's own registry and syntax declarations (``support``): a command it does
  not implement (r(199)) or an option it does not take (r(198)) stops the embedded engine;
- the files it touches (``files``): a path outside the workspace breaks the policy; a file it
  reads that was neither provided nor written earlier is r(601) on every engine; a write to a
  name SS keeps for itself is refused; a file name built at run time cannot be judged before
  the run — the embedded engine confines every path at run time, real Stata cannot, so such
  a name stops Stata and is a warning for the embedded engine;
- ``ssc install <package>``: the embedded engine runs it when it provides the package
  itself; on Stata it runs when the site's installation has the package (a warning: SS cannot
  see it from here).

Problems are errors (``engines`` lists what they stop) or warnings (``engines`` empty). The
API answers ``POST /v1/dofiles/check`` with the report, and refuses to queue a do-file job
whose engine it stops (``DOFILE_CHECK_FAILED``, every problem listed).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping

from libs.contracts.dofile_check import Access, CheckReport, FileAccess, Kind, Problem
from libs.contracts.jobs import ENGINES, JobRecord
from libs.dofiles.files import FileUse, file_uses, with_extension
from libs.dofiles.job import RESERVED_FILES, RESERVED_PREFIX, do_file_name
from libs.dofiles.policy import (
    UNRESOLVED,
    Profile,
    line_violations,
    path_violation,
    split_command,
)
from libs.dofiles.statements import TEMPFILE, Statement, read_statements
from libs.dofiles.support import refusals
from libs.engine.packages import package_provided


def check_dofile(source: str, *, name: str = "main.do", files: Iterable[str] = (),
                 texts: Mapping[str, str] | None = None) -> CheckReport:
    """Check do-file ``source`` (called ``name``) that will run with the uploads ``files``
    beside it; ``texts`` holds the text of provided do- and ado-files (also provided)."""
    given = dict(texts or {})
    judge = _Judge(name, {*files, *given, name})
    reader = read_statements(name, source, given)
    for statement in reader.statements:
        judge.statement(statement, reader.programs)
    for file in sorted(judge.provided):
        if file.endswith((".do", ".ado")) and file not in given and file != name:
            judge.add(file, 0, "", Kind.NOT_CHECKED, [],
                      f"{file} was not checked: its text was not given")
    problems = judge.problems
    return CheckReport(
        engines=[e for e in ENGINES if not any(e in p.engines for p in problems)],
        problems=problems, reads=_distinct(judge.reads), writes=_distinct(judge.writes))


def check_job(record: JobRecord, texts: Mapping[str, str]) -> CheckReport:
    """Check a do-file job's do-file with its uploads beside it; ``texts`` holds the text of
    every do- and ado-file upload (``libs.dofiles.job.text_inputs``), the do-file's own
    included when uploaded."""
    spec = record.spec
    assert spec.dofile is not None
    name = do_file_name(spec)
    source = spec.dofile.source if spec.dofile.source is not None else texts[name]
    others = {k: v for k, v in texts.items() if k != name}
    return check_dofile(source, name=name, files=[f.name for f in record.inputs],
                        texts=others)


def _distinct(uses: list[FileAccess]) -> list[FileAccess]:
    seen: dict[tuple[str, int, str], FileAccess] = {}
    for use in uses:
        seen.setdefault((use.file, use.line, use.path), use)
    return list(seen.values())


class _Judge:
    """Judges statements in the order they run, remembering what the do-file wrote."""

    def __init__(self, name: str, provided: set[str]) -> None:
        self.name = name
        self.provided = provided
        self.written: set[str] = set()
        self.folders: set[str] = {""}
        self.problems: list[Problem] = []
        self.reads: list[FileAccess] = []
        self.writes: list[FileAccess] = []
        self._statement: Statement | None = None
        self._seen: set[tuple[str, int, Kind, str, str, str]] = set()

    def add(self, file: str, line: int, text: str, kind: Kind, engines: list[str],
            message: str, *, rule: str = "", rc: int | None = None, command: str = "",
            path: str = "") -> None:
        key = (file, line, kind, rule, message, path)
        if key not in self._seen:  # an unrolled loop meets its lines more than once
            self._seen.add(key)
            self.problems.append(Problem(file=file, line=line, text=text, kind=kind,
                                         engines=engines, message=message, rule=rule, rc=rc,
                                         command=command, path=path))

    def _here(self, kind: Kind, engines: list[str], message: str, *, rule: str = "",
              rc: int | None = None, command: str = "", path: str = "") -> None:
        s = self._statement
        assert s is not None
        self.add(s.file, s.lineno, s.source, kind, engines, message, rule=rule, rc=rc,
                 command=command, path=path)

    def statement(self, s: Statement, programs: set[str]) -> None:
        self._statement = s
        if s.error:
            self._here(Kind.SYNTAX, list(ENGINES), f"the line cannot be read: {s.error}", rc=198)
            return
        for rule, message in line_violations(s.text, Profile.DOFILE):
            self._here(Kind.POLICY, list(ENGINES), message, rule=rule)
        if not s.command:
            return
        word, rest = split_command(s.command)
        if word.lower() == "ssc":
            self._package(rest)
        else:
            for refusal in refusals(s.command, programs):
                kind = Kind.UNKNOWN_COMMAND if refusal.unknown else Kind.UNSUPPORTED
                self._here(kind, ["embedded"], refusal.message, rc=refusal.rc,
                           command=refusal.command)
        for use in file_uses(s.command):
            self._file(s, use)

    def _package(self, rest: str) -> None:
        words = rest.partition(",")[0].split()
        if len(words) != 2:
            return  # not `ssc install <package>`: the policy has refused it
        package = words[1]
        if not package_provided(package):
            self._here(Kind.PACKAGE, ["embedded"],
                       f"the embedded engine does not provide package {package}", rc=199,
                       command="ssc")
        self._here(Kind.PACKAGE, [],
                   f"on Stata this runs only if the site's installation has package "
                   f"{package} (SS never installs from the network)", command="ssc")

    def _file(self, s: Statement, use: FileUse) -> None:
        path = use.path
        if path.startswith(TEMPFILE):
            return  # one of Stata's own temporary files
        if UNRESOLVED in path or s.cwd is None:
            shown = path.replace(UNRESOLVED, "…")
            self._here(Kind.UNRESOLVED_PATH, ["stata"],
                       f"the file name {shown!r} is built at run time: it cannot be checked "
                       "before the run (the embedded engine keeps it inside the workspace "
                       "when it runs; Stata cannot)", path=shown)
            return
        if bad := path_violation(path):
            self._here(Kind.POLICY, list(ENGINES), f"{bad}: {path}", rule="outside_workspace",
                       path=path)
            return
        full = posixpath.normpath(posixpath.join(s.cwd, with_extension(use)))
        if use.access is Access.READ:
            available = full in self.provided or full in self.written
            self.reads.append(FileAccess(file=s.file, line=s.lineno, path=full,
                                         access=use.access, available=available))
            if not available:
                stops = [] if s.captured or s.in_program else list(ENGINES)
                self._here(Kind.MISSING_FILE, stops,
                           f"reads {full}, which is neither uploaded nor written earlier by "
                           "the do-file", rc=601, path=full)
        elif use.access in (Access.WRITE, Access.DELETE):
            if full in RESERVED_FILES or full.startswith(RESERVED_PREFIX):
                self._here(Kind.RESERVED_NAME, list(ENGINES),
                           f"{full} is a file SS writes itself", path=full)
                return
            folder = posixpath.dirname(full)
            if use.access is Access.WRITE:
                self.written.add(full)
                self.writes.append(FileAccess(file=s.file, line=s.lineno, path=full,
                                              access=use.access))
                if folder not in self.folders and not s.captured:
                    self._here(Kind.MISSING_FOLDER, [],
                               f"writes into folder {folder}, which the do-file does not "
                               "make (mkdir)", path=full)
        elif use.access is Access.FOLDER and split_command(s.command)[0].lower() == "mkdir":
            self.folders.add(full)
