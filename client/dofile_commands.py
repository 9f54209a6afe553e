"""``ss run-do`` and ``ss check-do``: a client's own do-file as a job, and the check before it
(docs/dofiles.md)."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator

import msgspec

from client.async_client import AsyncSSClient
from client.commands import EXIT_JOB_FAILED, finish_run, print_json, ticking
from client.errors import SSClientError
from client.terminal import Terminal, TerminalObserver
from libs.contracts.dofile_check import Problem


def problem_lines(problems: Iterable[Problem]) -> Iterator[str]:
    """One line per problem, as a compiler reports them: ``file:line: severity ...``."""
    for p in problems:
        where = f"{p.file}:{p.line}" if p.line else p.file
        engines = f" [{', '.join(p.engines)}]" if p.engines else ""
        rc = f" r({p.rc})" if p.rc is not None and p.engines else ""
        yield f"{where}: {p.severity}{engines}{rc}: {p.message}"


async def check_do(args: argparse.Namespace, ss: AsyncSSClient, term: Terminal) -> int:
    answer = await ss.check_dofile(args.dofile, args.files, engine=args.engine)
    if args.json:
        print_json(term, answer)
    else:
        for line in problem_lines(answer.problems):
            term.line(line)
        runs = ", ".join(answer.engines) or "no engine"
        term.line(f"{args.dofile.name}: runs on {runs}"
                  + ("" if answer.ok else f"; not on {answer.engine}"))
    return 0 if answer.ok else EXIT_JOB_FAILED


async def run_do(args: argparse.Namespace, ss: AsyncSSClient, term: Terminal) -> int:
    formats = [f for f in ",".join(args.format).split(",") if f] if args.format else None
    wait = args.wait or args.out is not None
    try:
        async with ticking(term, wait):
            result = await ss.run_dofile(args.dofile, args.files, engine=args.engine,
                                         formats=formats, timeout_s=args.timeout, wait=wait,
                                         out=args.out, observer=TerminalObserver(term))
    except SSClientError as exc:
        if exc.error_code != "DOFILE_CHECK_FAILED":
            raise
        term.end_status()
        term.line(f"error {exc.error_code}: {exc.message}")
        problems = msgspec.convert(exc.details.get("problems", []), list[Problem])
        for line in problem_lines(problems):
            term.line(line)
        return EXIT_JOB_FAILED
    return finish_run(term, result, wait, args.out)
