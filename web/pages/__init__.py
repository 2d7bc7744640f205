"""The member-facing HTML pages (viewer, overlays, bulletins, votes): their routes, templates
and the static files they load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Router
from litestar.config.compression import CompressionConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.middleware import DefineMiddleware
from litestar.middleware.compression import CompressionMiddleware
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from web.pages import i18n
from web.pages.console import ConsolePages
from web.pages.overlays import OverlayPages
from web.pages.producer import ProducerPages
from web.pages.viewer import RedlineController, ViewerPages
from web.pages.votes import VotePages


def page_routes() -> list[Any]:
    return [ViewerPages, OverlayPages, ProducerPages, RedlineController, ConsolePages, VotePages]


def page_template_config(directory: Path) -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja with the i18n extension and the catalogs, compiled once as the app is built."""
    catalogs = i18n.Catalogs()

    def configure(engine: JinjaTemplateEngine) -> None:
        i18n.install(engine.engine)
        engine.engine.globals["i18n"] = catalogs

    return TemplateConfig(
        directory=directory, engine=JinjaTemplateEngine, engine_callback=configure
    )


def static_files_router(directory: Path) -> Router:
    """/static, gzip-compressed for every browser that accepts it: the ballot page's crypto
    (the vendored, unminified noble modules, ≈ 500 KB) then goes out as about a third of that.
    Only /static: these files hold nothing secret, so compressing them reveals nothing, while
    pages and API answers (which can reflect input beside a secret) stay as they are."""
    gzip = CompressionConfig(backend="gzip", gzip_compress_level=6)  # ≈ 9's size, faster
    return create_static_files_router(
        path="/static",
        directories=[directory],
        middleware=[DefineMiddleware(CompressionMiddleware, config=gzip)],
    )
