"""Public entry: run a do-file as ``stata -b do FILE.do`` would, returning its return code."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from libs.engine.errors import ExitRequest, LoopControl, StataError, internal_error
from libs.engine.interpreter import Interpreter
from libs.engine.lexer import logical_lines
from libs.engine.log import Log
from libs.engine.registry import load_commands
from libs.engine.session import Session


def run_do_file(do_path: Path, workdir: Path, log_path: Path | None = None, *,
                epilogue: Sequence[str] = ()) -> int:
    """Run ``do_path`` with ``workdir`` as working directory; return Stata's return code.

    The log (default ``workdir/<stem>.log``) echoes each command as ``. cmd`` with its output;
    on failure it ends with the error message and ``r(NNN);`` as Stata's batch log does.
    Every file the do-file touches must lie inside ``workdir``. Each ``epilogue`` command then
    runs in the same session under ``capture noisily`` (SS's ``ss_collect_estimates`` after a
    client's do-file): its failure shows in the log and never changes the return code.
    """
    return run_do_file_session(do_path, workdir, log_path, epilogue=epilogue).rc


def run_do_file_session(do_path: Path, workdir: Path, log_path: Path | None = None, *,
                        epilogue: Sequence[str] = ()) -> Session:
    """:func:`run_do_file`, returning the finished session: ``rc`` is the return code and
    ``failure`` the error that stopped the run (with the do-file line it came from)."""
    workdir = workdir.resolve()
    log_path = log_path or workdir / f"{do_path.stem}.log"
    source = do_path.read_text(encoding="utf-8", errors="replace")
    with log_path.open("w", encoding="utf-8") as sink:
        log = Log(sink)
        session = Session(workdir, log)
        log.echo([f'do "{do_path.name}"'])
        rc = run_source(session, source, cleanup=not epilogue)
        for command in epilogue:
            run_source(session, f"capture noisily {command}", cleanup=command == epilogue[-1])
        # the epilogue's capture leaves its own _rc in session.rc: the do-file's verdict wins
        session.rc = rc
        log.end(rc)
    return session


def preload() -> None:
    """Import every command module (call it in the warm parent before forking workers)."""
    load_commands()


def run_source(session: Session, source: str, *, cleanup: bool = True) -> int:
    """Run do-file text in ``session``; return 0 or the code of the error that stopped it.
    ``cleanup`` closes the run's files and removes its temporary files afterwards."""
    interp = Interpreter(session)
    try:
        failure = _run_lines(interp, source)
        if failure is None:
            return 0
        session.failure = failure
        session.log.error(failure)
        return failure.code
    finally:
        if cleanup:
            _cleanup(session)


def _run_lines(interp: Interpreter, source: str) -> StataError | None:
    """Run the do-file text; the error that stopped it (None when it ran to the end)."""
    try:
        interp.run(logical_lines(source), echo=True)
    except ExitRequest as ex:
        return StataError(ex.code, "") if ex.code else None
    except LoopControl:
        return StataError(198, "continue outside of a loop")
    except StataError as err:
        return err
    except RecursionError:
        return StataError(1400, "nesting too deep")
    except Exception as exc:  # never let an engine bug escape as a traceback
        return internal_error(exc)
    return None


def _cleanup(session: Session) -> None:
    for handle in session.file_handles.values():
        handle.close()
    for name in session.temp_files:
        Path(name).unlink(missing_ok=True)
    if session.log.user is not None:
        session.log.close_user()
