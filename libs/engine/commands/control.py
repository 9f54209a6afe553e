"""Flow and environment commands: ``exit``, ``error``, ``continue``, ``assert``, ``set``,
``program drop``, ``version``, and the no-ops batch runs meet (``set more off``, ``pause``)."""

from __future__ import annotations

import time

from libs.engine.errors import ExitRequest, LoopControl, StataError
from libs.engine.evaluator import Evaluator
from libs.engine.packages import package_provided
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args

#: Messages Stata prints for ``error #``.
MESSAGES = {
    9: "assertion is false", 100: "varlist required", 101: "varlist not allowed",
    102: "too few variables specified", 103: "too many variables specified",
    109: "type mismatch", 110: "already defined", 111: "not found", 198: "invalid syntax",
    199: "unrecognized command", 459: "something that should be true of your data is not",
    601: "file not found", 602: "file already exists", 2000: "no observations",
    2001: "insufficient observations",
}


@command("exit", abbrev=1, syntax="[anything] [, clear STata]")
def exit_(session: Session, args: Args) -> None:
    """``exit [n]``: leave the do-file or program (with return code n)."""
    code = args.anything.strip()
    raise ExitRequest(int(float(code)) if code else 0, clear=bool(args.opt("clear")))


@command("error", abbrev=3, syntax="anything")
def error(session: Session, args: Args) -> None:
    """``error #``: fail with return code # and Stata's message for it."""
    code = int(Evaluator(session, scalar=True).numeric(args.anything)[0])
    if code:
        raise StataError(code, MESSAGES.get(code, ""))


@command("continue", syntax="[, Break]")
def continue_(session: Session, args: Args) -> None:
    """``continue [, break]`` inside foreach/forvalues/while."""
    raise LoopControl(brk=bool(args.opt("break")))


@command("assert", abbrev=2, syntax="anything [if] [in] [, Rc0 Null fast]", byable="groups")
def assert_(session: Session, args: Args) -> None:
    """``assert exp``: r(9) with the count of contradictions when false anywhere."""
    touse = args.touse(session)
    ok = Evaluator(session, session.by).condition(args.anything)
    bad = int((touse & ~ok).sum())
    if touse.sum() == 0 and not args.opt("null"):
        return
    if bad:
        noun = "contradiction" if bad == 1 else "contradictions"
        if args.opt("rc0"):
            session.log.out(f"{bad:,} {noun} in {int(touse.sum()):,} observations")
            return
        raise StataError(9, f"{bad:,} {noun} in {int(touse.sum()):,} observations\n"
                            "assertion is false")


#: Settings ``set`` changes; display and memory settings are accepted and ignored.
SETTINGS_HONOURED = frozenset({"seed", "type", "varabbrev", "scheme", "obs",
                               "mem", "memo", "memor", "memory", "showbaselevels",
                               "fvlabel"})
SETTINGS_IGNORED = frozenset({
    "more", "linesize", "pagesize", "rmsg", "trace", "matsize", "maxvar",
    "graphics", "printcolor", "level", "dp", "emptycells",
    "notifyuser", "update_query", "maxiter", "cformat", "pformat", "sformat", "sortseed",
    "tracedepth", "varkeyboard", "logtype", "niceness", "segmentsize", "processors",
    "excelxlsxlargefile", "charset", "locale_ui", "locale_functions",
})


def _set_check(text: str) -> StataError | None:
    """What ``set`` refuses, from its text alone: a setting the engine does not know."""
    words = text.replace(",", " ").split()
    if not words:
        return StataError(198, "invalid syntax")
    if words[0] in SETTINGS_HONOURED or words[0] in SETTINGS_IGNORED:
        return None
    return StataError(199, f"set {words[0]} is not supported by the embedded engine")


@command("set", abbrev=3, syntax=None, check=_set_check)
def set_(session: Session, args: Args) -> None:
    """``set seed #``, ``set type float|double``, ``set varabbrev on|off``, ``set obs #``,
    ``set scheme name``, ``set showbaselevels|fvlabel on|off`` (coefficient tables);
    ``set memory`` is ignored with Stata's note; display settings
    (more, linesize ...) are accepted and ignored."""
    refused = _set_check(args.raw)
    if refused is not None:
        raise refused
    words = args.raw.replace(",", " ").split()
    what = words[0]
    value = words[1] if len(words) > 1 else ""
    if what == "seed":
        try:
            session.set_seed(int(float(value)))
        except ValueError:
            raise StataError(198, f"set seed {value} invalid") from None
    elif what == "type":
        if value not in ("float", "double"):
            raise StataError(198, f"{value} invalid type")
        session.settings.type = value
    elif what == "varabbrev":
        session.settings.varabbrev = value == "on"
    elif what in ("showbaselevels", "fvlabel"):
        # showbaselevels also takes ``all`` (base levels of interactions too: shown here)
        if value not in ("on", "off", "all") or (what == "fvlabel" and value == "all"):
            raise StataError(198, f"set {what}: on or off is required")
        setattr(session.settings, what, value != "off")
    elif what == "scheme":
        if not value:
            raise StataError(198, "set scheme: a scheme name is required")
        session.settings.scheme = value
    elif what == "obs":
        before = session.data.n
        session.data.set_obs(int(Evaluator(session, scalar=True).numeric(value)[0]))
        session.log.out(f"Number of observations (_N) was {before:,}, now {session.data.n:,}.")
    elif what in ("mem", "memo", "memor", "memory"):
        # Stata 12 and later accept the old command and ignore it, with this note
        session.log.out("set memory ignored.")
        session.log.out("    Memory no longer needs to be set in modern Statas; memory "
                        "adjustments are performed on the fly automatically.")


@command("version", abbrev=4, syntax="[anything]")
def version(session: Session, args: Args) -> None:
    """``version #``: accepted (the engine follows Stata 17 semantics)."""


@command("program", abbrev=2, syntax=None)
def program(session: Session, args: Args) -> None:
    """``program drop names|_all``, ``program list``/``dir`` (definitions are blocks)."""
    words = args.raw.split()
    if words and words[0] == "drop":
        for name in words[1:]:
            if name in ("_all", "_allado"):
                session.programs.clear()
            elif name not in session.programs:
                raise StataError(111, f"program {name} not found")
            else:
                del session.programs[name]
    elif words and words[0] in ("dir", "list"):
        for name in session.programs:
            session.log.out(f"  {name}")
    else:
        raise StataError(198, "invalid syntax")


@command("pause", syntax="[anything]")
def pause(session: Session, args: Args) -> None:
    """``pause`` does nothing in batch mode (as in Stata with pause off)."""


@command("sleep", syntax="[anything]")
def sleep(session: Session, args: Args) -> None:
    """``sleep #``: wait # milliseconds, as Stata does (the run's time limit still applies)."""
    text = args.anything.strip()
    try:
        ms = float(text)
    except ValueError:
        raise StataError(198, f"{text or 'nothing'} found where number expected") from None
    if ms > 0:
        time.sleep(ms / 1000.0)


@command("more", syntax="")
def more(session: Session, args: Args) -> None:
    """``more`` does nothing in batch mode."""


def _refuse(session: Session, args: Args) -> None:
    raise StataError(199, "network and shell access is not available: the embedded engine "
                          "runs confined; this template needs real Stata (SS_STATA_CMD)")


for _name in ("shell", "winexec", "xshell", "net", "adoupdate", "webuse", "update",
              "sysuse", "findit", "search"):
    command(_name, syntax=None)(_refuse)

@command("ssc", syntax=None)
def ssc(session: Session, args: Args) -> None:
    """``ssc install pkg[, replace]``: a no-op with a note when the engine provides the
    package's commands itself; r(199) naming the package otherwise. Other ``ssc`` uses
    (describe, hot, uninstall) need the network: refused."""
    words = args.raw.partition(",")[0].split()
    if len(words) != 2 or words[0] not in ("install", "inst", "insta", "instal"):
        _refuse(session, args)
    package = words[1].lower()
    if not package_provided(package):
        raise StataError(199, f"ssc install {package}: package {package} is not available "
                              "in the embedded engine (it installs nothing from the network; "
                              "this template needs real Stata: set SS_STATA_CMD)")
    session.log.out(f"(ssc install {package}: provided by the embedded engine; nothing "
                    "installed)")
