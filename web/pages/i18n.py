"""Languages of the member-facing pages: gettext catalogs (Babel), locale choice, formatting."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from litestar import Request

from projections.describe import Phrase, sentence

LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "lang"
I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"


class Catalogs:
    """Every language's translations, compiled from the .po files when the app starts (so a
    fresh clone needs no build step), and the same messages as JSON for the pages' scripts."""

    def __init__(self, directory: Path = I18N_DIR) -> None:
        self.translations: dict[str, Translations] = {}
        self.js: dict[str, dict[str, str]] = {}
        for lang in LANGUAGES:
            with (directory / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
                catalog = read_po(po, locale=lang)
            compiled = io.BytesIO()
            write_mo(compiled, catalog)
            compiled.seek(0)
            self.translations[lang] = Translations(compiled)
            # Scripts get only the messages found in scripts: fewer bytes on a phone.
            self.js[lang] = {
                str(m.id): str(m.string)
                for m in catalog
                if isinstance(m.id, str)
                and m.id
                and m.string  # English: the id is the text
                and any(path.endswith(".js") for path, _ in m.locations)
            }

    def gettext(self, lang: str, message: str) -> str:
        return str(self.translations[lang].gettext(message))


def choose_language(request: Request[Any, Any, Any]) -> str:
    """`?lang=` first (links and overlays), then the switch's cookie, then the browser's
    Accept-Language, then English."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in LANGUAGES:
        return str(asked)
    header = request.headers.get("accept-language", "")
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag.strip().lower().split("-")[0]))
    for _, _, lang in sorted(ranked):
        if lang in LANGUAGES:
            return lang
    return DEFAULT_LANGUAGE


def _lang(context: Context) -> str:
    # A template rendered without choosing a language: English.
    lang = context.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def _translations(context: Context) -> Translations:
    return context["i18n"].translations[_lang(context)]  # type: ignore[no-any-return]


# Jinja's "newstyle" wrappers apply the %-formatting and escaping; these only translate.
@pass_context
def _gettext(context: Context, message: str) -> str:
    return str(_translations(context).gettext(message))


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return str(_translations(context).ngettext(singular, plural, n))


def _when(context: Context, value: datetime | None, style: str = "short") -> str:
    if value is None:
        return ""
    return str(format_datetime(value, style, tzinfo=UTC, locale=_lang(context)))


def _clock(context: Context, value: datetime | None) -> str:
    if value is None:
        return ""
    return str(format_time(value, "short", tzinfo=UTC, locale=_lang(context)))


def _number(context: Context, value: float | int | None) -> str:
    return "" if value is None else str(format_decimal(value, locale=_lang(context)))


def _language_name(context: Context, code: str) -> str:
    # Sessions name their interpretation languages as typed: a code ("es") or a name ("Spanish").
    try:
        return str(Locale.parse(code).get_display_name(_lang(context)) or code)
    except (ValueError, TypeError, LookupError, UnknownLocaleError):
        return code


def _phrase(context: Context, value: Phrase) -> str:
    """A sentence the projections made (projections.describe), in the page's language."""
    translations = _translations(context)
    return sentence(value, lambda m: str(translations.gettext(m)), lambda n: _number(context, n))


def install(environment: Environment) -> None:
    """The Jinja i18n extension with per-request translations (taken from the page context),
    and Babel's per-locale formatting of dates and numbers as filters."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    filters: dict[str, Callable[..., str]] = {
        "when": _when,
        "clock": _clock,
        "number": _number,
        "language_name": _language_name,
        "phrase": _phrase,
    }
    for name, function in filters.items():
        environment.filters[name] = pass_context(function)
