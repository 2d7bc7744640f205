"""The pages' language: chosen from ?lang=, the switch's cookie, then Accept-Language."""

from typing import Any

from web.pages.i18n import Catalogs, choose_language


class FakeRequest:
    def __init__(
        self,
        query: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
        accept: str = "",
    ) -> None:
        self.query_params = query or {}
        self.cookies = cookies or {}
        self.headers = {"accept-language": accept} if accept else {}


def choose(**kwargs: Any) -> str:
    return choose_language(FakeRequest(**kwargs))  # type: ignore[arg-type]


def test_the_browser_language_is_followed_by_its_preference_order():
    assert choose(accept="fr-FR,es-MX;q=0.8,en;q=0.5") == "es"
    assert choose(accept="en-GB;q=0.4,es;q=0.9") == "es"
    assert choose(accept="de") == "en"


def test_the_switch_and_the_url_win_over_the_browser():
    assert choose(accept="es", cookies={"lang": "en"}) == "en"
    assert choose(accept="en", query={"lang": "es"}, cookies={"lang": "en"}) == "es"


def test_an_unknown_language_asked_for_is_ignored():
    assert choose(query={"lang": "xx"}, accept="es;q=0.1") == "es"
    assert choose(accept="es;q=bogus, en") == "en"


def test_every_spanish_message_is_translated():
    catalogs = Catalogs()
    from babel.messages.pofile import read_po

    from web.pages.i18n import I18N_DIR

    with (I18N_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        untranslated = [m.id for m in read_po(po) if m.id and not m.string]
    assert untranslated == []
    assert catalogs.gettext("es", "Negotiations") == "Negociaciones"


def test_scripts_get_only_the_messages_scripts_use():
    catalogs = Catalogs()
    assert catalogs.js["es"]["reconnecting…"] == "reconectando…"
    assert "Bulletin" not in catalogs.js["es"]  # a template-only message


def test_the_catalogs_hold_every_message_the_pages_and_scripts_use():
    """A string added to a template, page controller, script or audit sentence without
    re-extracting the catalogs (see web/i18n/README.md) would show in English to a Spanish
    reader."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.pofile import read_po

    from web.pages.i18n import I18N_DIR

    root = Path(__file__).resolve().parents[2]
    with (root / "babel.cfg").open() as cfg:  # the files `pybabel extract` reads
        method_map, _ = parse_mapping_cfg(cfg)
    used = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(str(root), method_map)
    }
    with (I18N_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        known = {m.id for m in read_po(po) if m.id}
    # scripts, templates, both; the audit history's sentences
    assert {"reconnecting…", "Negotiations", "Sign in", "The vote opened."} <= used
    assert "%(session)s went into recess" in used
    assert "The audit log's head does not match the chain." in used  # a verification's problem
    assert used - known == set()


def test_an_interpretation_language_given_by_name_is_shown_as_typed():
    # given: the demo's sessions name their languages ("Spanish"), others give codes ("es")
    from jinja2 import Environment

    from web.pages.i18n import _language_name

    context = Environment().from_string("").new_context({"lang": "es"})
    # when / then: a name Babel does not know is shown as it was typed, never a 500
    assert _language_name(context, "Spanish") == "Spanish"
    assert _language_name(context, "es") == "español"


def test_every_kind_of_audit_entry_has_a_name_on_the_audit_page():
    # A kind without one would be offered by its code ("ProposalTabled") in every language.
    from projections.describe import DESCRIBERS
    from web.pages.audit import EVENT_KINDS

    assert set(DESCRIBERS) - set(EVENT_KINDS) == set()
    assert Catalogs().gettext("es", EVENT_KINDS["ProposalTabled"]) == "Propuesta presentada"
