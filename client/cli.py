"""The ``ss`` command: templates, runs, job status, logs and events from a terminal.

Configuration: ``--api-url``/``SS_API_URL`` (default http://127.0.0.1:8000),
``--api-key``/``SS_API_KEY``, ``--nats``/``SS_NATS_URL`` and ``--nats-creds``/``SS_NATS_CREDS``
(``ss events`` without ``--job``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TextIO

import httpx

from client import commands, dofile_commands
from client.async_client import AsyncSSClient
from client.errors import SSClientError
from client.params import ParamError
from client.terminal import Terminal

#: Exit statuses (besides 0 and commands.EXIT_JOB_FAILED).
EXIT_USAGE = 2
EXIT_API_ERROR = 3

Command = Callable[[argparse.Namespace, AsyncSSClient, Terminal], Awaitable[int]]

EPILOG = """exit status: 0 ok; 1 the job ended failed or cancelled (check-do, run-do: the do-file
cannot run); 2 bad arguments; 3 the API refused the request or could not be reached.
environment: SS_API_URL, SS_API_KEY, SS_NATS_URL, SS_NATS_CREDS."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--api-url", help="API base URL (default: $SS_API_URL or "
                        "http://127.0.0.1:8000)")
    common.add_argument("--api-key", help="API key (default: $SS_API_KEY)")
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print JSON instead of text")

    parser = argparse.ArgumentParser(prog="ss", description="Run SS do-file templates, or your "
                                     "own do-files, as jobs.", epilog=EPILOG)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, command: Command, help_text: str,
            json_output: bool = False) -> argparse.ArgumentParser:
        parents = [common, as_json] if json_output else [common]
        p = sub.add_parser(name, parents=parents, help=help_text, description=help_text,
                           epilog=EPILOG)
        p.set_defaults(handler=command)
        return p

    p = add("templates", commands.templates, "list templates", json_output=True)
    p.add_argument("--family", help="data, descriptive, tests, regression, binary, panel, "
                   "causal, timeseries, finance, medical, survival")
    p.add_argument("--shape", help="wide, long or panel")
    p.add_argument("--engine", help="embedded or stata")
    p.add_argument("--tag", help="a tag, e.g. did, robust, reshape")
    p.add_argument("--q", help="text to look for in id, title, description and tags")

    p = add("template", commands.template, "show one template: parameters and an example",
            json_output=True)
    p.add_argument("template_id", metavar="ID")

    p = add("run", commands.run, "upload data, run a template, follow it, fetch the outputs")
    p.add_argument("template_id", metavar="TEMPLATE")
    p.add_argument("data", metavar="DATA", nargs="*", type=Path,
                   help="dataset file(s): csv, xlsx, xls or dta")
    p.add_argument("--example", action="store_true",
                   help="run the template's example as is: its bundled data (downloaded from "
                   "the API) and example parameters, instead of DATA and -p")
    p.add_argument("-p", "--param", action="extend", nargs="+", default=[],
                   metavar="NAME=VALUE", help="template parameters: -p depvar=price "
                   "indepvars=mpg weight (a word without = adds to the list before it)")
    p.add_argument("-f", "--format", action="append", metavar="FMT[,FMT...]",
                   help="output formats, e.g. xlsx,docx,pdf (default: the API's)")
    p.add_argument("--wait", action="store_true",
                   help="follow the job's events until it finishes")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="download the outputs into DIR (implies --wait)")

    p = add("run-do", dofile_commands.run_do,
            "run your own do-file: upload it and the files it uses, follow it, fetch the "
            "reports and every file it wrote")
    p.add_argument("dofile", metavar="DOFILE", type=Path, help="the do-file (e.g. analysis.do)")
    p.add_argument("files", metavar="FILE", nargs="*", type=Path,
                   help="files it uses, each under its own name: data (dta, csv, xlsx ...), "
                        "other do-files, ado-files")
    p.add_argument("--engine", choices=["embedded", "stata", "any"],
                   help="where it runs (default: the deployment's engine)")
    p.add_argument("-f", "--format", action="append", metavar="FMT[,FMT...]",
                   help="output formats, e.g. xlsx,docx,pdf (default: the API's)")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="time limit of the run")
    p.add_argument("--wait", action="store_true",
                   help="follow the job's events until it finishes")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="download the reports into DIR and every file the run wrote into "
                        "DIR/files (implies --wait)")

    p = add("check-do", dofile_commands.check_do,
            "check your own do-file before running it: per line what will not work here, and "
            "which engines can run it", json_output=True)
    p.add_argument("dofile", metavar="DOFILE", type=Path)
    p.add_argument("files", metavar="FILE", nargs="*", type=Path,
                   help="the files it will have beside it (do- and ado-files are checked too)")
    p.add_argument("--engine", choices=["embedded", "stata", "any"],
                   help="the engine to judge for (default: the deployment's)")

    add("status", commands.status, "show a job", json_output=True).add_argument(
        "job_id", metavar="JOB")
    for name, command, text in (("cancel", commands.cancel, "cancel a queued or running job"),
                                ("retry", commands.retry, "run a failed or cancelled job again")):
        add(name, command, text).add_argument("job_id", metavar="JOB")

    p = add("logs", commands.logs, "print main.log of a job's latest (or given) attempt")
    p.add_argument("job_id", metavar="JOB")
    p.add_argument("--attempt", type=int, help="attempt number (default: the latest)")

    p = add("events", commands.events,
            "tail events from NATS (a tenant's with its event credential), or of one job "
            "(--job) from the API",
            json_output=True)
    p.add_argument("--job", metavar="JOB", help="follow one job's events through the API (SSE)")
    p.add_argument("--completed", action="store_true", help="only completed events")
    p.add_argument("--nats", metavar="URL", help="NATS URL (default: $SS_NATS_URL)")
    p.add_argument("--nats-creds", metavar="FILE",
                   help="NATS credentials, e.g. from POST /v1/admin/event-credentials "
                        "(default: $SS_NATS_CREDS)")
    p.add_argument("--from-start", action="store_true",
                   help="from NATS: replay every kept event first, then tail")
    return parser


async def _dispatch(args: argparse.Namespace, term: Terminal,
                    transport: httpx.AsyncBaseTransport | None) -> int:
    handler: Command = args.handler
    async with AsyncSSClient(args.api_url, args.api_key, transport=transport) as ss:
        return await handler(args, ss, term)


def run_cli(argv: Sequence[str] | None = None, *, out: TextIO | None = None,
            tty: bool | None = None, transport: httpx.AsyncBaseTransport | None = None) -> int:
    """Parse ``argv``, run the subcommand writing to ``out`` (default stdout), return the
    exit status. Errors go to stderr; ``transport`` lets tests answer for the API."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "run" and bool(args.data) == args.example:
        parser.error("run: give the dataset file(s) DATA, or --example (not both)")
    if args.command == "run" and args.example and args.param:
        parser.error("run --example runs the template's example as is: no -p")
    term = Terminal(out, tty=tty)
    try:
        return asyncio.run(_dispatch(args, term, transport))
    except ParamError as exc:
        term.end_status()
        print(f"ss: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SSClientError as exc:
        term.end_status()
        print(f"ss: {exc.message} [{exc.error_code}]", file=sys.stderr)
        if exc.details:
            print(f"ss: details: {exc.details}", file=sys.stderr)
        if exc.status == 401:
            print("ss: set SS_API_KEY or pass --api-key", file=sys.stderr)
        if exc.request_id:
            print(f"ss: request id {exc.request_id}", file=sys.stderr)
        return EXIT_API_ERROR
    except KeyboardInterrupt:
        term.end_status()
        return 130


def main() -> int:
    """Entry point of the ``ss`` script."""
    return run_cli()


if __name__ == "__main__":
    sys.exit(main())
