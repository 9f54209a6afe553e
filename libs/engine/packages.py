"""Which SSC packages the engine provides itself: the package's command is one the registry
knows. Light on purpose (no numeric stack): the API-side template catalogue asks it too."""

from __future__ import annotations

from libs.engine.errors import StataError
from libs.engine.registry import lookup

#: SSC packages whose commands the engine provides under another name than the package's
#: (``ftools`` is the Mata library reghdfe needs; nothing to install for the native one).
_PACKAGE_COMMANDS = {"ftools": "reghdfe", "estout": "esttab"}


def package_provided(package: str) -> bool:
    """Whether the engine itself provides the commands of SSC package ``package``."""
    try:
        lookup(_PACKAGE_COMMANDS.get(package.lower(), package.lower()))
    except StataError:
        return False
    return True
