"""The composition root: create_app(settings) builds the application, the pool and identity."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
from litestar import Litestar
from litestar.concurrency import set_asyncio_executor
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin, SwaggerRenderPlugin

from negotiation.application import Negotiations
from negotiation.database import DatabaseConfig, ensure_database_exists, locate_database
from negotiation.domain.errors import NegotiationError
from projections.runner import Projector
from realtime.cards import as_platform
from realtime.hub import Hub
from web.controllers.audit import AuditController
from web.controllers.auth import AccountController, AuthController
from web.controllers.live import BulletinController, LiveController, ReadModelController
from web.controllers.negotiations import NegotiationController
from web.controllers.overlays import OverlayCueController
from web.controllers.sessions import SessionController
from web.controllers.votes import VoteController, votes_lifespan
from web.dependencies import provide_account, provide_identity, provide_negotiations, provide_viewer
from web.errors import (
    http_error_handler,
    negotiation_error_handler,
    out_of_range_handler,
    storage_data_error_handler,
    too_deep_handler,
)
from web.identity import Identity
from web.openapi import CompleteJsonRenderPlugin
from web.pages import page_routes, page_template_config, static_files_router
from web.security import SecurityGuard
from web.settings import Settings
from web.strict_json import StrictJsonRequest

WEB_DIR = Path(__file__).resolve().parent
APP_DBNAME = "negotiation"


def resolve_database(settings: Settings) -> DatabaseConfig:
    """DATABASE_URL as given, or the `negotiation` database on the embedded server."""
    server = locate_database(settings.data_dir / "pgdata-root", settings.database_url)
    return server if settings.database_url else server.with_dbname(APP_DBNAME)


async def _keep_connection_as_is(connection: asyncpg.Connection) -> None:
    """Pooled connections only run plain queries (live feeds LISTEN on a connection of their
    own), so asyncpg's full reset on every release is a round trip with nothing to undo."""


class PlatformApp(Litestar):
    guard: SecurityGuard | None = None  # every request passes it first (web/security.py)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            # The server's own send, before any wrapping: live feeds write pre-built frames
            # through it to many connections at once (realtime/transport.py).
            scope["raw_send"] = send
        if self.guard is None:
            await super().__call__(scope, receive, send)
        else:
            await self.guard(scope, receive, send)


def guarded(app: PlatformApp, settings: Settings) -> PlatformApp:
    app.guard = SecurityGuard(
        partial(Litestar.__call__, app), settings, routes=lambda: app.routes
    )
    return app


def app_from_environment() -> Litestar:
    """The app as each worker of `negotiation serve` builds it (uvicorn imports it by name):
    configured from the environment, where the command has put the database it chose."""
    if os.environ.get(WORKER_OF) == str(os.getppid()):
        _end_with_parent()
    return create_app(Settings.from_env())


WORKER_OF = "NEGOTIATION_WORKER_OF"  # set by `negotiation serve --workers N` to its own pid


def _end_with_parent() -> None:
    """A worker whose `negotiation serve` was killed outright (SIGKILL: no chance to stop its
    workers) would go on serving, orphaned, on a database nobody manages: on Linux, ask the
    kernel for a SIGTERM when the parent goes."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


# Litestar runs sync handlers on the event loop's default executor: min(32, cores + 4)
# threads, 6 on a 2-core server. A handler that waits holds its thread while it waits — a
# ballot for its batch's commit, a command for its group commit — so under load requests
# queued 130 ms for a thread before their handler began, and the batches stayed at 3 ballots.
# Waiting threads cost no CPU; CPU-bound work is bounded where it is done (PROOF_THREADS).
HANDLER_THREADS = 64
_handler_executor = ThreadPoolExecutor(HANDLER_THREADS, thread_name_prefix="handler")
set_asyncio_executor(_handler_executor)


def create_app(settings: Settings, database: DatabaseConfig | None = None) -> Litestar:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        config = database
        if config is None:
            config = await asyncio.to_thread(resolve_database, settings)
        await asyncio.to_thread(ensure_database_exists, config)
        negotiations = await asyncio.to_thread(Negotiations, config.eventsourcing_env())
        pool = await asyncpg.create_pool(
            **config.asyncpg_kwargs(), min_size=2, max_size=10, reset=_keep_connection_as_is
        )
        identity = Identity(
            pool,
            failures_allowed=settings.login_failures_allowed,
            window_seconds=settings.login_window_seconds,
            delay_seconds=settings.login_delay_seconds,
            session_days=settings.session_days,
        )
        await identity.create_schema()
        await identity.listen_for_revocations(await asyncpg.connect(**config.asyncpg_kwargs()))
        projector = Projector(pool)
        await projector.create_tables()
        hub = Hub(pool, lambda: asyncpg.connect(**config.asyncpg_kwargs()), projector=projector)
        await hub.start()
        negotiations.on_recorded(hub.recorded)
        hub.cards.execute = as_platform(negotiations)  # card totals, recorded as the platform
        identity.on_revoked(hub.end_feeds_of)
        app.state.update(
            settings=settings,
            database=config,
            negotiations=negotiations,
            pool=pool,
            identity=identity,
            hub=hub,
        )
        try:
            yield
        finally:
            await hub.stop()
            await identity.close()
            await pool.close()
            await asyncio.to_thread(negotiations.close)

    def provide_pool(state: State) -> asyncpg.Pool:
        pool: asyncpg.Pool = state.pool
        return pool

    def provide_hub(state: State) -> Hub:
        hub: Hub = state.hub
        return hub

    app = PlatformApp(
        route_handlers=[
            *page_routes(),
            AuthController,
            AccountController,
            NegotiationController,
            SessionController,
            OverlayCueController,
            VoteController,
            ReadModelController,
            BulletinController,
            AuditController,
            LiveController,
            static_files_router(WEB_DIR / "static"),
        ],
        dependencies={
            "negotiations": Provide(provide_negotiations, sync_to_thread=False),
            "identity": Provide(provide_identity, sync_to_thread=False),
            "pool": Provide(provide_pool, sync_to_thread=False),
            "hub": Provide(provide_hub, sync_to_thread=False),
            "viewer": Provide(provide_viewer),
            "account": Provide(provide_account),
        },
        exception_handlers={
            HTTPException: http_error_handler,
            NegotiationError: negotiation_error_handler,
            asyncpg.DataError: storage_data_error_handler,
            OverflowError: out_of_range_handler,
            RecursionError: too_deep_handler,
        },
        lifespan=[lifespan, votes_lifespan],
        template_config=page_template_config(WEB_DIR / "templates"),
        openapi_config=OpenAPIConfig(
            title="Negotiation session platform",
            version="0.1.0",
            description="Event-sourced bargaining: proposals, TAs, sessions.",
            # The JSON completed by web/openapi.py; Redoc at /schema, Swagger UI as before.
            render_plugins=[
                CompleteJsonRenderPlugin(),
                RedocRenderPlugin(path=["/", "/redoc"]),
                SwaggerRenderPlugin(),
            ],
        ),
        request_max_body_size=2 * 1024 * 1024,
        request_class=StrictJsonRequest,
    )
    return guarded(app, settings)
