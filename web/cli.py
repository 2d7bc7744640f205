"""The `negotiation` command: serve the platform, load the demo, and operator chores."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

import asyncpg

from negotiation.application import Negotiations
from negotiation.database import DatabaseConfig, ensure_database_exists
from projections.runner import index_caught_up
from web.app import WORKER_OF, resolve_database
from web.identity import Identity
from web.settings import Settings

DESCRIPTION = """\
Event-sourced negotiation session platform.

Data lives in PostgreSQL: DATABASE_URL if set, otherwise an embedded server kept in
var/pgdata-root (started by this command, stopped when it exits).
"""


def _database(settings: Settings) -> DatabaseConfig:
    config = resolve_database(settings)
    ensure_database_exists(config)
    return config


async def _with_identity(config: DatabaseConfig) -> tuple[asyncpg.Pool, Identity]:
    pool = await asyncpg.create_pool(**config.asyncpg_kwargs(), min_size=1, max_size=4)
    identity = Identity(pool)
    await identity.create_schema()
    return pool, identity


def load_demo_data(config: DatabaseConfig, *, only_if_empty: bool) -> UUID | None:
    """Create the demo accounts and record the demo negotiation through the application."""
    from demo import DEMO_ACCOUNTS, DEMO_TITLE, load_demo

    negotiations = Negotiations(env=config.eventsourcing_env())  # creates the event table

    async def run() -> UUID | None:
        pool, identity = await _with_identity(config)
        try:
            existing = await index_caught_up(pool)
            if (only_if_empty and existing) or any(n.title == DEMO_TITLE for n in existing):
                return None
            actors = {}
            for demo in DEMO_ACCOUNTS:
                account = await identity.account_by_username(demo.username)
                if account is None:
                    account = await identity.create_account(
                        username=demo.username,
                        display_name=demo.display_name,
                        password=demo.password,
                        is_admin=demo.is_admin,
                        bargaining_units=demo.bargaining_units,
                    )
                actors[demo.username] = account.actor
            return await asyncio.to_thread(load_demo, negotiations, actors)
        finally:
            await pool.close()

    try:
        return asyncio.run(run())
    finally:
        negotiations.close()


def _print_demo_accounts() -> None:
    from demo import DEMO_ACCOUNTS

    print("Demo accounts (demo only; change or remove them for real use):")
    for demo in DEMO_ACCOUNTS:
        print(f"  {demo.username:<16} {demo.password:<20} {demo.display_name}")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if args.workers < 1:
        raise SystemExit("--workers must be at least 1.")

    port = settings.port if args.port is None else args.port  # 0: any free port
    settings = replace(settings, host=args.host or settings.host, port=port)
    config = _database(settings)
    if args.demo:
        loaded = load_demo_data(config, only_if_empty=True)
        if loaded is not None:
            print(f"Loaded the demo negotiation ({loaded}).")
        _print_demo_accounts()
    workers = f", {args.workers} worker processes" if args.workers > 1 else ""
    print(f"Serving on http://{settings.host}:{settings.port}{workers}  (Ctrl-C stops)", flush=True)
    # Each worker is a node of its own (its hub, its pool; one of them writes the projections)
    # and finds the database through the environment: the one chosen here, whose embedded
    # server lives as long as this process.
    os.environ.update(DATABASE_URL=config.dsn(), HOST=settings.host, PORT=str(settings.port))
    if args.workers > 1:
        os.environ[WORKER_OF] = str(os.getpid())
    _exit_cleanly_on_sigterm()
    uvicorn.run(
        "web.app:app_from_environment",
        factory=True,
        workers=args.workers,
        host=settings.host,
        port=settings.port,
        log_level=args.log_level,
        backlog=4096,
        # uvicorn kills a worker that does not answer its supervisor's ping in 5 s: on a loaded
        # machine a starting worker (imports, pools, projections) misses it, and every
        # replacement does too.
        timeout_worker_healthcheck=60,
        ws="websockets-sansio",
        # uvicorn would believe X-Forwarded-For from 127.0.0.1 (anyone on the machine, or any
        # client of a local proxy that passes the header through): TRUSTED_PROXIES decides.
        proxy_headers=False,
    )
    return 0


def _exit_cleanly_on_sigterm() -> None:
    """After its graceful shutdown, uvicorn raises the SIGTERM it caught again; by default that
    kills the process before atexit stops the embedded PostgreSQL, which would outlive us.
    Turning it into SystemExit lets the exit handlers run (a service manager's stop is clean)."""

    def leave(_signum: int, _frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, leave)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    loaded = load_demo_data(_database(settings), only_if_empty=False)
    print(f"Loaded the demo negotiation ({loaded})." if loaded else "The demo is already loaded.")
    _print_demo_accounts()
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.environ.get("NEGOTIATION_PASSWORD"):
        return os.environ["NEGOTIATION_PASSWORD"]
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("The two passwords differ.")
    return first


def cmd_create_account(args: argparse.Namespace, settings: Settings) -> int:
    password = _read_password(args)
    if len(password) < 10:
        raise SystemExit("Use a password of at least 10 characters.")
    config = _database(settings)

    async def run() -> None:
        pool, identity = await _with_identity(config)
        try:
            account = await identity.create_account(
                username=args.username,
                display_name=args.name or args.username,
                password=password,
                is_admin=args.admin,
                bargaining_units=tuple(args.unit),
            )
            print(f"Created {account.username} ({account.account_id}).")
        finally:
            await pool.close()

    asyncio.run(run())
    return 0


def cmd_set_password(args: argparse.Namespace, settings: Settings) -> int:
    password = _read_password(args)
    if len(password) < 10:
        raise SystemExit("Use a password of at least 10 characters.")
    config = _database(settings)

    async def run() -> bool:
        pool, identity = await _with_identity(config)
        try:
            return await identity.set_password(args.username, password)
        finally:
            await pool.close()

    if not asyncio.run(run()):
        raise SystemExit(f"No account {args.username!r}.")
    print("Password changed.")
    return 0


def cmd_revoke_tokens(args: argparse.Namespace, settings: Settings) -> int:
    config = _database(settings)

    async def run() -> int:
        pool, identity = await _with_identity(config)
        try:
            account = await identity.account_by_username(args.username)
            if account is None:
                raise SystemExit(f"No account {args.username!r}.")
            return await identity.revoke_all_tokens(account.account_id)
        finally:
            await pool.close()

    print(f"Revoked {asyncio.run(run())} token(s); every session of that account is signed out.")
    return 0


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    """Recompute the audit hash chain from the stored events; exit 1 if anything was altered."""
    from projections.audit import verify_chain

    config = _database(settings)

    async def run() -> int:
        conn = await asyncpg.connect(**config.asyncpg_kwargs())
        try:
            exists = await conn.fetchval("SELECT to_regclass('audit_log') IS NOT NULL")
            if not exists:
                print("No audit log yet: start the platform (negotiation serve) to build it.")
                return 1
            result = await verify_chain(conn)
        finally:
            await conn.close()
        if result.ok:
            print(f"OK: {result.checked} event(s) verified; the chain is intact.")
        else:
            print(f"TAMPERING at position {result.first_problem_position}: {result.problem}")
            print(f"({result.checked} event(s) verified before it.)")
        print(f"Chain head: position {result.head_position}")
        print(f"            sha256 {result.head_hash}")
        print("Compare the head with copies kept outside the system.")
        return 0 if result.ok else 1

    return asyncio.run(run())


def cmd_verify_vote(args: argparse.Namespace, settings: Settings) -> int:
    """Re-check a published election record alone (no database): every proof, the tally."""
    from negotiation.ballots.verify import main as verify_main

    return verify_main([args.record])


def cmd_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    """Empty every projection and replay the whole log into it (servers must be stopped)."""
    from web.rebuild import run_rebuild

    config = _database(settings)
    Negotiations(env=config.eventsourcing_env()).close()  # the event table, if still missing
    run_rebuild(config)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="negotiation",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the web platform (API, pages, live feeds)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1, or $HOST)")
    serve.add_argument("--port", type=int, help="port (default 8000, or $PORT)")
    serve.add_argument(
        "--demo",
        action="store_true",
        help="load the demo negotiation first if the platform has none",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port, e.g. one per core (default 1)",
    )
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="load the demo negotiation and its accounts")
    demo.set_defaults(func=cmd_demo)

    create = sub.add_parser("create-account", help="create a person's account")
    create.add_argument("username")
    create.add_argument("--name", help="display name (default: the username)")
    create.add_argument("--admin", action="store_true", help="make an administrator")
    create.add_argument(
        "--unit",
        action="append",
        default=[],
        help="bargaining unit the person belongs to (repeatable)",
    )
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (else $NEGOTIATION_PASSWORD or a prompt)",
    )
    create.set_defaults(func=cmd_create_account)

    password = sub.add_parser("set-password", help="replace an account's password")
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true")
    password.set_defaults(func=cmd_set_password)

    revoke = sub.add_parser(
        "revoke-tokens", help="revoke every session and API token of an account"
    )
    revoke.add_argument("username")
    revoke.set_defaults(func=cmd_revoke_tokens)

    verify = sub.add_parser(
        "verify", help="verify the audit history's hash chain against the stored events"
    )
    verify.set_defaults(func=cmd_verify)

    verify_vote = sub.add_parser(
        "verify-vote",
        help="re-check a ratification vote's public election record (GET …/votes/ID/record): "
        "every proof, the tracking chain and the tally; exit 1 naming what fails",
    )
    verify_vote.add_argument("record", help="the election record, a JSON file")
    verify_vote.set_defaults(func=cmd_verify_vote)

    rebuild = sub.add_parser(
        "rebuild",
        help="rebuild every projection (status boards, audit log, the votes' audit chains) "
        "from the event logs; "
        "stop the servers first",
    )
    rebuild.set_defaults(func=cmd_rebuild)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args, Settings.from_env())
    return result


if __name__ == "__main__":
    sys.exit(main())
