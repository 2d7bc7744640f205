"""The console in Spanish, without a mouse: table → counter → TA by keyboard alone, and no
serious or critical accessibility violation (axe-core)."""

from pathlib import Path

import pytest

from tests.e2e.test_console import open_console, row, signed_in
from tests.e2e.test_every_page import DATA_WORDS_PATTERN, VISIBLE_TEXT, english_only_words
from tests.support import expect, open_article, open_table

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CURRENT = "Class size shall not exceed 30 students."


async def test_table_counter_and_ta_by_keyboard_alone_in_spanish(browser, server, http, people):
    table = await open_table(http, people)
    size = await open_article(http, table, current_language=CURRENT)
    union_ctx, union, _ = await signed_in(browser, server, table.union, "es", bypass_csp=True)
    employer_ctx, employer, _ = await signed_in(browser, server, table.employer, "es")
    try:
        for page in (union, employer):
            await open_console(page, table)
            assert await page.evaluate("document.documentElement.lang") == "es"
            assert "Cuadro comparativo" in await page.locator("#chart-heading").inner_text()

        await union.keyboard.press("j")  # the first article
        await union.keyboard.press("e")  # its editor, focused
        await union.keyboard.press("Control+A")
        await union.keyboard.type("Class size shall not exceed 25 students.")
        await union.keyboard.press("Control+Enter")
        await row(employer, size["id"]).locator("td.side.union ins", has_text="25").wait_for()

        await employer.keyboard.press("j")
        await employer.keyboard.press("c")  # counter: starts from the union's latest
        assert "25" in await employer.input_value("#editor-text")
        assert "Contrapropuesta" in await employer.locator("#editor-answering").inner_text()
        await employer.keyboard.press("Control+A")
        await employer.keyboard.type("Class size shall not exceed 27 students.")
        await employer.keyboard.press("Control+Enter")
        await row(union, size["id"]).locator("td.side.employer ins", has_text="27").wait_for()

        await union.keyboard.press("j")
        await union.keyboard.press("a")  # TA on the latest version: the employer's v2
        await row(employer, size["id"]).locator(".ta-signed").wait_for()
        await employer.keyboard.press("j")
        await employer.keyboard.press("a")
        agreed = row(union, size["id"]).locator(".status", has_text="Acuerdo tentativo")
        await agreed.wait_for()

        # Spanish throughout: no word of an English message left on the page (the parties'
        # own names and titles aside).
        data = ["Educators Association", "Unified School District", "Uma Union", "Eli Employer"]
        title = (await expect(await http.get(table.base, headers=table.union.headers), 200))[
            "title"
        ]
        data += [title, "Class size", "District office, room 4"]
        english = english_only_words()
        left = []
        for text in await union.evaluate(VISIBLE_TEXT, "body"):
            for datum in data:
                text = text.replace(datum, " ")
            words = [w for w in DATA_WORDS_PATTERN.findall(text) if w.lower() in english]
            if words:
                left.append((text, words))
        assert left == []

        await union.add_script_tag(path=str(AXE))
        result = await union.evaluate("async () => await axe.run(document)")
        serious = [
            (v["id"], v["impact"], [n["html"][:120] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert result["passes"]
        assert serious == []
    finally:
        await union_ctx.close()
        await employer_ctx.close()
