"""Every member-facing page, in English and Spanish, in Chromium: no serious or critical
accessibility violation (axe-core, vendored) and, in Spanish, no string left in English."""

import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from babel.messages.pofile import read_po

from tests.support import Table, expect, open_table
from web.pages.i18n import I18N_DIR

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CURRENT = "Class size shall not exceed 30 students."
DATA_WORDS_PATTERN = re.compile(r"[^\W\d_]+", re.UNICODE)
# Machine values are no language: hashes, UUIDs, tracking and voting codes, base64. Any token that
# mixes letters with digits (a word of a language has no digit in it), or a hex run of 8 or more.
MACHINE_VALUE_PATTERN = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|\b[0-9a-f]{8,}\b"
    r"|[\w+/=-]*(?:\d[^\W\d_]|[^\W\d_]\d)[\w+/=-]*",
    re.IGNORECASE,
)


async def post(http, path, who, body=None, status=200):
    return await expect(await http.post(path, headers=who.headers, json=body or {}), status)


@pytest.fixture(scope="module")
async def scene(http_module, people_module):
    """A session in full swing: an article on the table with a proposal and its counter, an
    article tentatively agreed, attendance counted, a bulletin out, the employer in caucus."""
    http = http_module
    table = await open_table(http, people_module, open_session=False)
    session = await post(
        http,
        f"{table.base}/sessions",
        table.union,
        {
            "visibility": "open",
            "location": "Union hall",
            "starts_at": "2026-11-24T16:00:00+00:00",
            "capacity": 300,
            "livestream_url": "https://stream.example.org/live",
            "languages": ["es", "vi"],
        },
        201,
    )
    table = Table(table.negotiation_id, table.union, table.employer, session["id"])
    sbase = f"{table.base}/sessions/{table.session_id}"
    await post(http, f"{sbase}/open", table.employer)
    size = await post(
        http,
        f"{table.base}/articles",
        table.union,
        {
            "number": "12",
            "title": "Class size",
            "category": "non_economic",
            "current_language": CURRENT,
        },
        201,
    )
    leave = await post(
        http,
        f"{table.base}/articles",
        table.union,
        {"number": "7", "title": "Family leave", "category": "economic"},
        201,
    )
    await post(http, f"{sbase}/table", table.union, {"article_id": size["id"]})
    union = await post(
        http,
        f"{table.base}/articles/{size['id']}/proposals",
        table.union,
        {"text": "Class size shall not exceed 25 students."},
        201,
    )
    await post(
        http,
        f"{table.base}/articles/{size['id']}/proposals",
        table.employer,
        {"text": "Class size shall not exceed 28 students.", "answers": union["id"]},
        201,
    )
    agreed = await post(
        http,
        f"{table.base}/articles/{leave['id']}/proposals",
        table.union,
        {"text": "Twelve weeks of paid family leave."},
        201,
    )
    for chief in (table.employer, table.union):
        await post(http, f"{table.base}/articles/{leave['id']}/proposals/{agreed['id']}/ta", chief)
    await post(http, f"{sbase}/attendance", table.union, {"count": 45})
    await post(http, f"{sbase}/bulletins", table.union, {"text": "We moved on class size."}, 201)
    await post(http, f"{sbase}/caucus", table.employer)
    negotiation = await expect(await http.get(table.base, headers=table.union.headers), 200)
    data = [
        negotiation["title"],
        "Educators Association",
        "Unified School District",
        "Class size",
        "Family leave",
        "Union hall",
        "We moved on class size.",
        CURRENT,
        "Uma Union",
        "Eli Employer",
        "Class size shall not exceed 25 students.",
        "Class size shall not exceed 28 students.",
        "Twelve weeks of paid family leave.",
        "Educators",
    ]
    n, s = table.negotiation_id, table.session_id
    pages = {
        "front": "/",
        "viewer": f"/negotiations/{n}/sessions/{s}",
        "room": f"/negotiations/{n}/sessions/{s}?display=room",
        "article": f"/negotiations/{n}/articles/{size['id']}",
        "bulletin": f"/negotiations/{n}/sessions/{s}/bulletins/0",
        "sign-in": f"/sign-in?next=/negotiations/{n}/sessions/{s}",
        **{
            f"overlay-{g}": f"/overlays/{n}/{g}"
            for g in ("lower-third", "ta-counter", "caucus", "clock", "reactions", "speaker")
        },
        "producer": f"/producer/{n}",
    }
    # The producer has put a speaker on air (the speaker overlay then shows them).
    await post(http, f"{sbase}/speaker", table.union, {"name": "Ana Ruiz", "title": "Steward"})
    data += ["Ana Ruiz", "Steward"]
    return {"pages": pages, "data": data, "negotiation_id": n, "producer": table.union}


PAGES = [
    "front",
    "viewer",
    "room",
    "article",
    "bulletin",
    "sign-in",
    "overlay-lower-third",
    "overlay-ta-counter",
    "overlay-caucus",
    "overlay-clock",
    "overlay-reactions",
    "overlay-speaker",
    "producer",
]


def english_only_words() -> set[str]:
    """Words of the English messages that no Spanish translation uses."""
    with (I18N_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = [m for m in read_po(po) if m.id]
    english = {
        w.lower()
        for m in catalog
        for w in DATA_WORDS_PATTERN.findall(re.sub(r"%\(\w+\)s", "", m.id))
    }
    spanish = {w.lower() for m in catalog for w in DATA_WORDS_PATTERN.findall(m.string)}
    # A lone letter is no sign of English (the console lists its shortcut keys: t, c, j, k).
    return {w for w in english - spanish if len(w) > 1}


def english_words_in(text: str, english: set[str]) -> list[str]:
    """The English-only words a text reads in, machine values (hashes, codes, UUIDs) left out."""
    words = DATA_WORDS_PATTERN.findall(MACHINE_VALUE_PATTERN.sub(" ", text))
    return [w for w in words if w.lower() in english]


def test_a_hash_is_no_english_but_a_leftover_word_is():
    english = {"be", "ab", "vote", "ballot"}
    hashed = (
        "Cadena: be12ab9f0c3de4 · 3f2a9b7e-be12-4a1b-8c2d-ab0123456789 · Zm9vYmFyYmU=, AB7K-9QXZ"
    )
    assert english_words_in(hashed, english) == []
    assert english_words_in(f"{hashed} Vote su ballot", english) == ["Vote", "ballot"]


VISIBLE_TEXT = """(roots) => {
  const out = [];
  for (const root of document.querySelectorAll(roots)) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    // Contract language (.text) is what the parties wrote: it is never translated; a <code> holds
    // a machine value (a hash, a code, a link), in no language.
    if (!parent || parent.closest("script, style, [hidden], .text, code")) continue;
    const own = parent.closest("[lang]");
    if (own && own.lang !== document.documentElement.lang) continue;
    if (node.textContent.trim()) out.push(node.textContent.trim());
  }
  }
  for (const el of document.querySelectorAll("[aria-label], [title], [alt]"))
    for (const name of ["aria-label", "title", "alt"])
      if (el.getAttribute(name)) out.push(el.getAttribute(name));
  out.push(document.title);
  return out;
}"""


def signer(scene, name):
    """Who signs in to read a page: the producer page is a team's."""
    return scene["producer"] if name == "producer" else None


async def open_page(browser, server, path, lang, scene_name, signed_in_as=None):
    size = (
        {"width": 1920, "height": 1080}
        if scene_name.startswith("overlay")
        else {"width": 390, "height": 844}
    )
    context = await browser.new_context(viewport=size, bypass_csp=True, locale=lang)
    page = await context.new_page()
    address = path + ("&" if "?" in path else "?") + f"lang={lang}"
    if signed_in_as is not None:  # a team's page: signed in through the sign-in page
        await page.goto(f"{server.url}/sign-in?next={quote(address)}&lang={lang}")
        await page.fill("input[name=username]", signed_in_as.username)
        await page.fill("input[name=password]", signed_in_as.password)
        await page.press("input[name=password]", "Enter")
        await page.wait_for_url(lambda url: urlsplit(url).path == path)
    await page.goto(server.url + address)
    if signed_in_as is not None:
        await page.locator("#speaker-form").wait_for()  # the producer page, not the sign-in
    if "feed.js" in await page.content() or scene_name != "front":
        await page.wait_for_load_state("networkidle")
    return context, page


@pytest.mark.parametrize(
    "name",
    PAGES,
)
async def test_no_page_leaves_a_string_in_english_when_read_in_spanish(
    browser, server, scene, name
):
    path = scene["pages"][name]
    english = english_only_words()
    context, page = await open_page(browser, server, path, "es", name, signer(scene, name))
    try:
        # The front page lists other tests' negotiations too: judge the chrome and ours.
        roots = "body"
        if name == "front":
            roots = f"header, h1, li[data-negotiation-id='{scene['negotiation_id']}']"
        texts = await page.evaluate(VISIBLE_TEXT, roots)
        untranslated = []
        for text in texts:
            for datum in sorted(scene["data"], key=len, reverse=True):
                text = text.replace(datum, " ")
            words = english_words_in(text, english)
            if words:
                untranslated.append((text, words))
        assert untranslated == []
        assert await page.evaluate("document.documentElement.lang") == "es"
    finally:
        await context.close()


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize(
    "name",
    PAGES,
)
async def test_no_page_has_a_serious_or_critical_accessibility_violation(
    browser, server, scene, name, lang
):
    context, page = await open_page(
        browser, server, scene["pages"][name], lang, name, signer(scene, name)
    )
    try:
        await page.add_script_tag(path=str(AXE))
        result = await page.evaluate("async () => await axe.run(document)")
        serious = [
            (v["id"], v["impact"], [n["html"][:120] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert result["passes"]  # axe did run its checks
        assert serious == []
    finally:
        await context.close()
