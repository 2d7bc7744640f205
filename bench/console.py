"""Benchmark: the table console in headless Chromium — a key press "table" on one team's
console until the other side's console shows the proposal, and the console's first load.

On a fresh database ``bench_pages_<hex>`` (as ``bench/pages.py``: embedded PostgreSQL in
``var/bench-pgdata`` or ``DATABASE_URL``'s server, dropped at the end) the real app under
uvicorn in a child process serves one negotiation: both chiefs, ground rules agreed, an open
session, twelve articles with contract language. Debian's /usr/bin/chromium (Playwright)
signs the union's chief in one context and the employer's chief in another, both on the
console. Each move: the union's editor holds a revision of its proposal on Art. 12; the clock
starts at the Ctrl+Enter keydown (the console's "table" shortcut in the editor, read in the
page with ``performance.timeOrigin + performance.now()``) and stops when the employer's page
has the new version in its chart (a MutationObserver there, same clock: one machine). The
move is the whole path: fetch to the JSON API, command, event log, hub, board feed frame,
fragment fetch at that position, swap into the DOM.

First load: the employer's console in a fresh context (cookie set by signing in, empty cache)
under DevTools' "Fast 3G" (562.5 ms RTT, 1.44 Mbit/s down, via CDP); bytes = every
response's ``encodedDataLength`` until the feed is live and the network idle; first paint =
``first-contentful-paint``.

    .venv/bin/python bench/console.py              # 100 moves, 3 loads
    .venv/bin/python bench/console.py --moves 30

The last line is JSON with ``move_to_other_screen_p50_ms``, ``move_to_other_screen_p99_ms``
and ``console_bytes`` (median of the loads), and the first paint.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import uuid
from pathlib import Path
from typing import Any

from _measure import (  # bench/_measure.py
    PASSWORD,
    bearer,
    expect,
    make_people,
    open_table,
    percentile,
)
from pages import DATA_DIR, launch, on_fast_3g, server_process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CURRENT = "Class size shall not exceed 30 students in any classroom, except by agreement."

SEEN_VERSION = """(version) => new Promise((resolve) => {
  const found = () => document.querySelector(
    `td.side.union[data-version="${version}"]`);
  if (found()) return resolve(performance.timeOrigin + performance.now());
  const observer = new MutationObserver(() => {
    if (found()) { observer.disconnect(); resolve(performance.timeOrigin + performance.now()); }
  });
  observer.observe(document.getElementById("rows"), { childList: true, subtree: true });
})"""

# Functions, not expressions: Playwright evals an expression in the page, which its CSP refuses.
CONSOLE_LIVE = "() => window.consoleFeed && window.consoleFeed.state === 'live'"
MARK_KEYDOWN = """() => { window.pressedAt = null;
  document.getElementById("editor-text").addEventListener("keydown", (e) => {
    if (e.ctrlKey && e.key === "Enter")
      window.pressedAt = performance.timeOrigin + performance.now();
  }, { capture: true }); }"""


async def setup(url: str, database: Any) -> tuple[str, str, list[tuple[str, str]]]:
    """One negotiation with an open session and twelve articles; returns (negotiation id, the
    first article's id, the two chiefs)."""
    import httpx

    people = await make_people(database, 2)
    union, employer = people
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        session = {
            "visibility": "open",
            "location": "Hall",
            "starts_at": "2027-01-12T16:00:00+00:00",
        }
        n, _ = await open_table(
            http, union, employer, title="Teachers contract 2027", session=session
        )
        articles = [
            await expect(
                await http.post(
                    f"/api/negotiations/{n}/articles",
                    headers=bearer(union[1]),
                    json={
                        "number": str(12 + i),
                        "title": f"Subject {i}",
                        "category": "non_economic",
                        "current_language": CURRENT,
                    },
                ),
                201,
            )
            for i in range(12)
        ]
        return n, articles[0]["id"], people


async def sign_in(browser: Any, url: str, username: str) -> Any:
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    response = await context.request.post(
        f"{url}/api/auth/login", data={"username": username, "password": PASSWORD}
    )
    if not response.ok:
        raise RuntimeError(f"sign-in failed: {response.status}")
    return context


async def moves(
    browser: Any, url: str, n: str, article: str, people: Any, count: int
) -> list[float]:
    union_ctx = await sign_in(browser, url, people[0][0])
    employer_ctx = await sign_in(browser, url, people[1][0])
    union, employer = await union_ctx.new_page(), await employer_ctx.new_page()
    try:
        for page in (union, employer):
            await page.goto(f"{url}/console/{n}")
            await page.wait_for_function(CONSOLE_LIVE)
        await union.evaluate(MARK_KEYDOWN)
        row = union.locator(f"tr[data-article='{article}']")
        times: list[float] = []
        for version in range(1, count + 1):
            await row.locator("button[data-edit='draft']").click()
            await union.fill(
                "#editor-text", CURRENT.replace("30", str(10 + version % 80)) + f" ({version})"
            )
            seen = asyncio.ensure_future(employer.evaluate(SEEN_VERSION, version))
            await union.focus("#editor-text")
            await union.keyboard.press("Control+Enter")
            shown_at = await seen
            pressed_at = await union.evaluate("() => window.pressedAt")
            times.append(shown_at - pressed_at)
            await union.locator("#editor").wait_for(state="hidden")
        return times
    finally:
        await union_ctx.close()
        await employer_ctx.close()


async def first_load(browser: Any, url: str, n: str, username: str) -> dict[str, float]:
    context = await sign_in(browser, url, username)
    page = await context.new_page()
    transferred = await on_fast_3g(context, page)
    try:
        await page.goto(f"{url}/console/{n}", wait_until="load")
        await page.wait_for_function(CONSOLE_LIVE, timeout=60000)
        await page.wait_for_load_state("networkidle")
        paint = await page.evaluate(
            "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"
        )
        return {"first_paint_ms": paint or float("nan"), "bytes": sum(transferred.values())}
    finally:
        await context.close()


async def measure(
    url: str, database: Any, count: int, loads: int
) -> tuple[list[float], list[dict[str, float]]]:
    from playwright.async_api import async_playwright

    n, article, people = await setup(url, database)
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            times = await moves(browser, url, n, article, people, count)
            loaded = [await first_load(browser, url, n, people[1][0]) for _ in range(loads)]
        finally:
            await browser.close()
    return times, loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--moves", type=int, default=100)
    parser.add_argument("--loads", type=int, default=3)
    args = parser.parse_args()
    if args.moves < 1 or args.loads < 1:
        parser.error("--moves and --loads must be positive")

    from negotiation.database import drop_database, ensure_database_exists, locate_database

    server = locate_database(DATA_DIR, os.environ.get("DATABASE_URL"))
    database = server.with_dbname(f"bench_pages_{uuid.uuid4().hex[:12]}")
    ensure_database_exists(database)
    print(f"database {database.dbname}; {args.moves} moves, {args.loads} cold loads", flush=True)
    try:
        with server_process(database) as url:
            times, loaded = asyncio.run(measure(url, database, args.moves, args.loads))
    finally:
        drop_database(database)
    ordered = sorted(times)
    p50, p99 = percentile(ordered, 50), percentile(ordered, 99)
    size = statistics.median(r["bytes"] for r in loaded)
    paint = statistics.median(r["first_paint_ms"] for r in loaded)
    print(f"move → other screen: p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {ordered[-1]:.0f} ms")
    print(f"first load (Fast 3G): {size / 1024:.1f} KiB, first paint {paint:.0f} ms")
    print(
        json.dumps(
            {
                "move_to_other_screen_p50_ms": round(p50, 1),
                "move_to_other_screen_p99_ms": round(p99, 1),
                "console_bytes": int(size),
                "console_first_paint_ms": round(paint),
                "moves": len(times),
                "target_p99_ms": 300,
                "target_bytes": 200 * 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
