"""The member-facing HTML pages (viewer, overlays, bulletins, votes): their routes and templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from web.pages import i18n
from web.pages.console import ConsolePages
from web.pages.overlays import OverlayPages
from web.pages.viewer import RedlineController, ViewerPages
from web.pages.votes import VotePages


def page_routes() -> list[Any]:
    return [ViewerPages, OverlayPages, RedlineController, ConsolePages, VotePages]


def page_template_config(directory: Path) -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja with the i18n extension and the catalogs, compiled once as the app is built."""
    catalogs = i18n.Catalogs()

    def configure(engine: JinjaTemplateEngine) -> None:
        i18n.install(engine.engine)
        engine.engine.globals["i18n"] = catalogs

    return TemplateConfig(
        directory=directory, engine=JinjaTemplateEngine, engine_callback=configure
    )
