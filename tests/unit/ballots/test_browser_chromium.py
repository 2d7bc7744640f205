"""The browser module reproduces the known answers in Debian's Chromium too (not only in Node).

The page and every module are served by Playwright's request routing straight from the
repository, so this needs no app server and no database: it checks the vendored noble files and
ballot-crypto.js load as plain ES modules in a real browser and compute the same bytes.
"""

import json
import mimetypes
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.async_api")

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
ORIGIN = "http://ballots.test"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
async def test_chromium_reproduces_every_vector(browser) -> None:  # type: ignore[no-untyped-def]
    async def serve(route) -> None:  # type: ignore[no-untyped-def]
        path = route.request.url.removeprefix(ORIGIN + "/")
        file = (ROOT / path).resolve()
        if path == "" or not file.is_relative_to(ROOT) or not file.is_file():
            await route.fulfill(status=200, content_type="text/html", body="<!doctype html>")
            return
        kind = "text/javascript" if file.suffix == ".mjs" else mimetypes.guess_type(file.name)[0]
        await route.fulfill(status=200, content_type=kind or "application/octet-stream",
                            body=file.read_bytes())

    page = await browser.new_page()
    try:
        await page.route(f"{ORIGIN}/**", serve)
        await page.goto(f"{ORIGIN}/")
        report = await page.evaluate(
            """async () => {
                const bc = await import('/web/static/js/ballot-crypto.js');
                const { check } = await import('/tests/unit/ballots/vector_checks.mjs');
                const V = await (await fetch('/tests/vectors/ballots.json')).json();
                return check(V, bc);
            }"""
        )
    finally:
        await page.close()
    assert report["failures"] == [], json.dumps(report["failures"][:3])
    assert report["checked"] >= 90
