"""Imported last by the embedded engine's fork server (``libs.runners.embedded.PRELOAD``):
a fork server only imports modules, so this module's import is the step that makes it
ready to fork (``embedded_child.ready_to_fork``). Nothing else imports it.
"""

from __future__ import annotations

from libs.runners.embedded_child import ready_to_fork

ready_to_fork()
