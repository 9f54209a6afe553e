"""Just enough Dockerfile and .dockerignore semantics to check the images against the repository.

Parses the instructions of a Dockerfile (continuations, comments, JSON or shell form), finds the
runtime stage, and tells which files of the build context a COPY really sends, with Docker's
.dockerignore rules (last matching pattern wins; a pattern matching a folder covers its files).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("api", "worker", "formatter")


@dataclass(frozen=True)
class Instruction:
    keyword: str
    #: Flags such as ``--from=builder`` (COPY) or ``--interval=5s`` (HEALTHCHECK), in order.
    flags: tuple[str, ...]
    #: Arguments: parsed JSON array for the exec form, shell words otherwise.
    args: tuple[str, ...]
    raw: str
    line: int


@dataclass
class Stage:
    base: str
    name: str
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction:
        found = self.all(keyword)
        assert found, f"stage {self.name or self.base} has no {keyword}"
        return found[-1]


def _logical_lines(text: str) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # comment lines inside a continuation are dropped, as Docker does
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append((start, pending + stripped))
        pending = ""
    return lines


def _split_args(keyword: str, rest: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    flags: list[str] = []
    while rest.startswith("--"):
        flag, _, rest = rest.partition(" ")
        flags.append(flag)
        rest = rest.lstrip()
    if keyword == "HEALTHCHECK":
        cmd, _, rest = rest.partition(" ")
        assert cmd.upper() == "CMD", f"HEALTHCHECK {cmd} {rest}"
        rest = rest.lstrip()
    if rest.startswith("["):
        return tuple(flags), tuple(json.loads(rest))
    try:
        return tuple(flags), tuple(shlex.split(rest))
    except ValueError:  # shell syntax shlex does not follow; only RUN lines, never inspected
        return tuple(flags), tuple(rest.split())


def parse(path: Path) -> list[Stage]:
    """The stages of a Dockerfile, in order, each with its instructions."""
    stages: list[Stage] = []
    for line, text in _logical_lines(path.read_text()):
        keyword, _, rest = text.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = rest.split()
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else ""
            stages.append(Stage(base=words[0], name=name))
            continue
        assert stages, f"{path.name}:{line}: {keyword} before FROM"
        flags, args = _split_args(keyword, rest.strip())
        stages[-1].instructions.append(Instruction(keyword, flags, args, text, line))
    return stages


def dockerfile(service: str) -> Path:
    return REPO / f"Dockerfile.{service}"


def runtime_stage(service: str) -> Stage:
    """The last stage: what the image that runs is made of."""
    return parse(dockerfile(service))[-1]


def flag_value(instruction: Instruction, name: str) -> str | None:
    for flag in instruction.flags:
        key, _, value = flag.partition("=")
        if key == f"--{name}":
            return value
    return None


# ---- .dockerignore -----------------------------------------------------------------------


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.index("]", i)
            out.append(pattern[i : end + 1])
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))


@dataclass(frozen=True)
class DockerIgnore:
    rules: tuple[tuple[bool, re.Pattern[str]], ...]

    @classmethod
    def load(cls, path: Path = REPO / ".dockerignore") -> DockerIgnore:
        rules = []
        for line in path.read_text().splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            pattern = line.lstrip("!").strip().strip("/")
            rules.append((negate, _pattern_regex(pattern)))
        return cls(tuple(rules))

    def excluded(self, relative: str) -> bool:
        """Whether the file ``relative`` (to the context root) stays out of the context."""
        parts = relative.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        result = False
        for negate, regex in self.rules:
            if any(regex.fullmatch(p) for p in prefixes):
                result = not negate
        return result


def sent_files(source: str, ignore: DockerIgnore) -> list[Path]:
    """Files of the build context a COPY of ``source`` really copies (after .dockerignore)."""
    matches = sorted(REPO.glob(source.rstrip("/"))) if source.rstrip("/") else [REPO]
    files: list[Path] = []
    for match in matches:
        candidates = [p for p in match.rglob("*") if p.is_file()] if match.is_dir() else [match]
        files += [p for p in candidates if not ignore.excluded(p.relative_to(REPO).as_posix())]
    return files
