"""The operator's command for NATS auth (docs/deploy.md, "NATS credentials").

    python -m libs.bus.auth init FOLDER [--pool NAME ...]   keys, server config, credentials
    python -m libs.bus.auth creds FOLDER ROLE [--tenant T --ttl S] [--out FILE]
    python -m libs.bus.auth revoke FOLDER USER_PUBLIC_KEY
    python -m libs.bus.auth rotate FOLDER ROLE
    python -m libs.bus.auth show FOLDER

Everything that changes the server's view (revoke, rotate, a new pool) rewrites
``FOLDER/nats-auth.conf``: reload the server afterwards (``kill -HUP``, ``nats-server --signal
reload``, ``docker compose kill -s HUP nats``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from libs.bus.auth.operator import AuthFolder, write_secret
from libs.bus.auth.permissions import Role

RELOAD = "then reload nats-server (SIGHUP) so it takes effect"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m libs.bus.auth",
                                     description="NATS auth material for SS.")
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser("init", help="create what is missing; rewrite the server config")
    init.add_argument("folder", type=Path)
    init.add_argument("--pool", action="append", default=[],
                      help="a worker pool the worker credential may serve (repeatable; "
                           "embedded and stata are always included)")
    creds = commands.add_parser("creds", help="mint a new credential of a role")
    creds.add_argument("folder", type=Path)
    creds.add_argument("role", choices=[r.value for r in Role])
    creds.add_argument("--tenant", default="", help="subscriber: the tenant it may hear")
    creds.add_argument("--ttl", type=float, default=30 * 24 * 3600.0,
                       help="subscriber: lifetime in seconds (default 30 days)")
    creds.add_argument("--out", type=Path, help="write here (default: print)")
    revoke = commands.add_parser("revoke", help="refuse one user from now on")
    revoke.add_argument("folder", type=Path)
    revoke.add_argument("user", help="the user's public key (U...)")
    rotate = commands.add_parser("rotate", help="new signing key for a role")
    rotate.add_argument("folder", type=Path)
    rotate.add_argument("role", choices=[r.value for r in Role])
    show = commands.add_parser("show", help="the account, pools, revocations, files")
    show.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    folder = AuthFolder(args.folder)
    out = sys.stdout
    if args.command == "init":
        minted = folder.init(args.pool)
        out.write(f"wrote {folder.server_config}\n")
        for path in minted:
            out.write(f"minted {path}\n")
        out.write(f"SS account: {folder.account}\n")
    elif args.command == "creds":
        role = Role(args.role)
        expires = int(time.time() + args.ttl) if role is Role.SUBSCRIBER else None
        try:
            issued = folder.mint(role, tenant=args.tenant, expires=expires)
        except ValueError as exc:
            parser.error(str(exc))
        if args.out:
            write_secret(args.out, issued.creds)
            out.write(f"wrote {args.out}\n")
        else:
            out.write(issued.creds)
        sys.stderr.write(f"user {issued.public_key} (revoke: python -m libs.bus.auth revoke "
                         f"{args.folder} {issued.public_key})\n")
    elif args.command == "revoke":
        folder.revoke(args.user)
        out.write(f"revoked {args.user} in {folder.server_config}; {RELOAD}\n")
    elif args.command == "rotate":
        role = Role(args.role)
        rotated = folder.rotate(role)
        where = folder.creds(role) if rotated else folder.subscriber_signer
        out.write(f"new {role.value} signing key; new {where} (deploy it); {RELOAD}\n")
    else:
        out.write(json.dumps(folder.describe(), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
