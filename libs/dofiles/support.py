"""What the embedded engine would refuse in a command line, asked of the engine itself.

The command word is looked up in the engine's registry (``registry.lookup``, abbreviations
included): a word it does not know is Stata's r(199). A command declared with a ``syntax``
string has its options matched against the declaration (``Spec.option``: r(198) for an
option it does not declare, unless it takes ``*``) and a ``using`` it does not take refused
(r(101)); a command with its own grammar answers through the ``check``
it registered (``set``: a setting the engine does not know). Prefix commands (``xi:``,
``bootstrap ...:``, ``by``) have the command after their colon checked too. Commands the
do-file defines itself (``program define``, a provided ``.ado``) are the do-file's own and
always count as there. New commands other engineers add to the engine are found the same
way, with nothing to list here.
"""

from __future__ import annotations

from dataclasses import dataclass

from libs.dofiles.policy import UNRESOLVED, split_command
from libs.engine import textscan
from libs.engine.errors import StataError
from libs.engine.registry import Command, lookup

#: Words the interpreter itself handles (blocks, loops, programs), not registry commands.
LANGUAGE = frozenset({"if", "else", "foreach", "forvalues", "forv", "forval", "forvalu",
                      "forvalue", "while", "program", "end", "{", "}", "input"})
#: Prefix commands whose own command follows a colon.
PREFIXES = frozenset({"xi", "bootstrap", "bs", "bstrap", "simulate", "sim", "simul",
                      "permute", "jackknife", "jknife", "statsby", "rolling", "svy", "mi",
                      "nestreg", "stepwise", "sw", "frame", "fp", "mfp", "version"})


@dataclass(frozen=True)
class Refusal:
    """What the engine would answer to one command, as Stata's error."""

    command: str
    rc: int
    message: str
    #: the engine does not know the command at all (else: it refuses how it is used)
    unknown: bool = False


def refusals(command: str, defined: set[str]) -> list[Refusal]:
    """What the embedded engine refuses in command line ``command`` (empty when it runs it);
    ``defined`` holds the programs the do-file brings itself."""
    word, rest = split_command(command)
    if not word or word in LANGUAGE or UNRESOLVED in word or word in defined:
        return []
    try:
        entry = lookup(word)
    except StataError as exc:
        return [Refusal(word, exc.code, f"command {word} is unrecognized by the embedded "
                                        "engine", unknown=True)]
    own, inner = _prefix_split(word, rest)
    found = _refused(entry, own)
    return ([Refusal(word, found.code, found.message)] if found else []) + (
        refusals(inner, defined) if inner else [])


def _prefix_split(word: str, rest: str) -> tuple[str, str]:
    """A prefix command's own text and the command after its colon ("" when none)."""
    if word.lower() not in PREFIXES:
        return rest, ""
    at = textscan.find_top(rest, ":")
    return (rest, "") if at < 0 else (rest[:at], rest[at + 1 :].strip())


def _refused(entry: Command, rest: str) -> StataError | None:
    if entry.declaration is None:
        return entry.check(rest) if entry.check is not None else None
    spec = entry.spec()
    at = textscan.find_top(rest, ",")
    main, options = (rest, "") if at < 0 else (rest[:at], rest[at + 1 :])
    if "using" not in {kind for kind, *_ in spec.main} and textscan.find_word(main, "using") >= 0:
        return StataError(101, "using not allowed")
    if spec.star:
        return None
    for token in textscan.split_top(options):
        name = token.partition("(")[0]
        if name and UNRESOLVED not in name and spec.option(name) is None:
            return StataError(198, f"option {name} not allowed")
    return None
