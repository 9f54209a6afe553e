"""Which Stata commands a template's do-file runs: official ones and the library's ado helpers.

A licensed Stata without SSC packages runs a template when every command is official Stata or
defined by an ado file of the library (``do_library/ado/``, put on the adopath by the worker).
"""

from __future__ import annotations

import msgspec

from libs.dofiles.policy import command_words
from libs.templates.catalogue import Catalogue

#: Words the interpreter itself handles (control flow, prefixes), not registry commands.
LANGUAGE_WORDS = frozenset(
    [
        "if",
        "else",
        "foreach",
        "forvalues",
        "while",
        "continue",
        "break",
        "program",
        "end",
        "capture",
        "quietly",
        "noisily",
        "by",
        "bysort",
    ]
)


class TemplateCommands(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """The commands of one template's do-file, sorted."""

    #: Official Stata commands.
    official: list[str]
    #: Commands defined by the library's ado files.
    ado_helpers: list[str]

    @property
    def all(self) -> list[str]:
        return sorted([*self.official, *self.ado_helpers])


def template_commands(catalogue: Catalogue, template_id: str) -> TemplateCommands:
    """The commands ``template_id``'s do-file runs, split into official and ado helpers."""
    helpers = catalogue.ado_helpers()
    words = {w for w in command_words(catalogue.body(template_id)) if w not in LANGUAGE_WORDS}
    return TemplateCommands(
        official=sorted(words - helpers), ado_helpers=sorted(words & helpers)
    )
