"""``return``/``ereturn``: list stored results; set them in r-class/e-class programs."""

from __future__ import annotations

from libs.engine import formats
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.macrofuncs import expression_text
from libs.engine.macros import strip_quotes
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.values import is_string


def list_results(session: Session, results: Results, prefix: str) -> None:
    """What ``return list`` / ``ereturn list`` print."""
    log = session.log
    sections: list[tuple[str, dict[str, float] | dict[str, str] | dict[str, Matrix]]] = [
        ("scalars", results.scalars), ("macros", results.macros), ("matrices", results.matrices)]
    for title, items in sections:
        if not items:
            continue
        log.out()
        log.out(f"{title}:")
        for name, value in items.items():
            key = f"{prefix}({name})"
            if isinstance(value, Matrix):
                shown = f"{len(value.rownames)} x {len(value.colnames)}"
            elif isinstance(value, str):
                shown = f'"{value}"'
            else:
                shown = formats.format_number(float(value), "%10.0g").strip()
            log.out(f"{key:>17} :  {shown}")
    if results.sample is not None:
        log.out()
        log.out("functions:")
        log.out(f"{prefix + '(sample)':>17}")


@command("return", abbrev=3, syntax=None)
def return_(session: Session, args: Args) -> None:
    """``return list``; in an rclass program ``return scalar|local|matrix name ...``."""
    words = args.raw.split(None, 2)
    if not words:
        raise StataError(198, "invalid syntax")
    if words[0] == "list":
        list_results(session, session.r, "r")
    elif words[0] in ("scalar", "local", "matrix"):
        target = session.frame.returns
        if target is None:
            raise StataError(198, "return: only allowed in an rclass program")
        _store(session, target, words[0], " ".join(words[1:]))
    elif words[0] == "clear":
        session.r.clear()
    else:
        raise StataError(198, "invalid syntax")


@command("ereturn", abbrev=4, syntax=None)
def ereturn(session: Session, args: Args) -> None:
    """``ereturn list``; ``ereturn scalar|local|matrix`` in eclass programs."""
    words = args.raw.split(None, 2)
    if not words:
        raise StataError(198, "invalid syntax")
    if words[0] == "list":
        list_results(session, session.e, "e")
    elif words[0] in ("scalar", "local", "matrix"):
        _store(session, session.e, words[0], " ".join(words[1:]))
    elif words[0] == "clear":
        session.e.clear()
    else:
        raise StataError(198, "invalid syntax")


def _store(session: Session, results: Results, kind: str, text: str) -> None:
    name, _, rest = text.partition(" ")
    if kind == "scalar":
        value = Evaluator(session, scalar=True).evaluate(rest.strip().lstrip("="))
        if is_string(value):
            raise StataError(109, "type mismatch")
        results.scalars[name] = float(value)
    elif kind == "local":
        rest = rest.strip()
        if rest.startswith("="):
            results.macros[name] = expression_text(session, rest[1:])
        else:
            results.macros[name] = strip_quotes(rest)
    else:
        source = rest.strip().split()[0]
        if source not in session.matrices:
            raise StataError(111, f"matrix {source} not found")
        results.matrices[name] = session.matrices[source]
