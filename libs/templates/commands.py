"""Which Stata commands a template's do-file runs: official ones, the library's ado helpers,
and the commands of the SSC packages its metadata lists.

A licensed Stata without SSC packages runs a template when every command is official Stata or
defined by an ado file of the library (``do_library/ado/``, put on the adopath by the worker);
a template listing ``ssc_packages`` (only packages the embedded engine implements, such as
``synth``) needs them installed there.
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
    #: Commands of the SSC packages the template lists (each package's command of its name).
    ssc_commands: list[str] = msgspec.field(default_factory=list)

    @property
    def all(self) -> list[str]:
        return sorted([*self.official, *self.ado_helpers, *self.ssc_commands])


def template_commands(catalogue: Catalogue, template_id: str) -> TemplateCommands:
    """The commands ``template_id``'s do-file runs, split into official and ado helpers."""
    helpers = catalogue.ado_helpers()
    ssc = set(catalogue.get(template_id).ssc_packages)
    words = {w for w in command_words(catalogue.body(template_id)) if w not in LANGUAGE_WORDS}
    return TemplateCommands(
        official=sorted(words - helpers - ssc), ado_helpers=sorted(words & helpers),
        ssc_commands=sorted(words & ssc),
    )
