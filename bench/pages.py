"""Benchmark: first load of the live viewer and an overlay in headless Chromium on Fast 3G.

On a fresh database ``bench_pages_<hex>`` on the embedded PostgreSQL (``var/bench-pgdata``) or
on ``DATABASE_URL``'s server (dropped at the end), the real app under uvicorn in a child process
serves one negotiation set up through the API: an open session with the article on the table,
a proposal and its counter on it, eight more articles on the board, a timeline of a dozen
entries. Debian's /usr/bin/chromium (headless, through Playwright) then loads, each in a fresh
context with an empty cache, ``--runs`` times:

- the viewer of that session, on a 390×844 phone viewport;
- the lower-third overlay, at 1920×1080.

Throttling is DevTools' "Fast 3G" preset, applied with the Chrome DevTools Protocol
(``Network.emulateNetworkConditions``): 562.5 ms round trip, 1.6 Mbit/s × 0.9 down,
750 kbit/s × 0.9 up (the preset's own figures).

First meaningful paint is taken as the browser's ``first-contentful-paint`` (the page is
server-rendered, so its first paint already carries the article on the table); also shown is
when the page had settled (``settled_ms``: its feed live and the network idle for 500 ms).
Bytes = the sum of every response's ``encodedDataLength`` on the wire (headers included)
until then: every asset.

    .venv/bin/python bench/pages.py            # 3 runs each
    .venv/bin/python bench/pages.py --runs 5

The last line printed is JSON with ``viewer_first_paint_ms``, ``overlay_first_paint_ms`` and
``viewer_bytes`` (medians).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import uuid
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from _measure import (  # bench/_measure.py
    bearer,
    child,
    expect,
    make_people,
    open_table,
    serve_and_report_port,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA_DIR = ROOT / "var" / "bench-pgdata"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
]
FAST_3G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8 * 0.9,
    "uploadThroughput": 750 * 1024 / 8 * 0.9,
}


def serve(database: Any, conn: Connection) -> None:
    """Child process: the real app on uvicorn (uvloop, httptools); reports its port, then serves."""
    import uvicorn

    from web.app import create_app
    from web.settings import Settings

    app = create_app(Settings(port=0, data_dir=DATA_DIR), database=database)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        log_level="warning",
        access_log=False,
    )
    serve_and_report_port(uvicorn.Server(config), conn)


@contextlib.contextmanager
def server_process(database: Any) -> Iterator[str]:
    """The app in a child process; yields its URL."""
    with child(serve, (database,), "bench-pages-server") as (port, _, _):
        yield f"http://127.0.0.1:{port}"


async def setup(url: str, database: Any) -> tuple[str, str]:
    """A session in swing; returns (negotiation id, session id)."""
    import httpx

    union, employer = await make_people(database, 2)
    u, e = bearer(union[1]), bearer(employer[1])
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:

        async def post(path: str, headers: dict[str, str], body: Any, status: int = 201) -> Any:
            return await expect(await http.post(path, headers=headers, json=body), status)

        session = {
            "visibility": "open",
            "location": "Union hall",
            "capacity": 300,
            "starts_at": "2027-01-12T16:00:00+00:00",
            "languages": ["es"],
            "livestream_url": "https://stream.example.org/live",
        }
        title = "Teachers contract 2027"
        n, s = await open_table(http, union, employer, title=title, session=session)
        base = f"/api/negotiations/{n}"
        current = " ".join(["Class size shall not exceed 30 students in any classroom."] * 6)
        article = (
            await post(
                f"{base}/articles",
                u,
                {
                    "number": "12",
                    "title": "Class size",
                    "category": "non_economic",
                    "current_language": current,
                },
            )
        )["id"]
        for i in range(8):
            await post(
                f"{base}/articles",
                u,
                {"number": str(20 + i), "title": f"Subject {i}", "category": "economic"},
            )
        await post(f"{base}/sessions/{s}/table", u, {"article_id": article}, 200)
        first = await post(
            f"{base}/articles/{article}/proposals", u, {"text": current.replace("30", "25")}
        )
        await post(
            f"{base}/articles/{article}/proposals",
            e,
            {"text": current.replace("30", "28"), "answers": first["id"]},
        )
        await post(f"{base}/sessions/{s}/attendance", u, {"count": 212}, 200)
        return n, s


async def launch(playwright: Any) -> Any:
    """Debian's Chromium, headless (never a downloaded browser)."""
    return await playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
    )


async def on_fast_3g(context: Any, page: Any) -> dict[str, float]:
    """Throttle `page` to Fast 3G with its cache disabled, through CDP; returns a dict that
    fills with each response's bytes on the wire (headers included), by request."""
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    await cdp.send("Network.emulateNetworkConditions", FAST_3G)
    transferred: dict[str, float] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: transferred.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    return transferred


async def load(browser: Any, url: str, viewport: dict[str, int]) -> dict[str, float]:
    context = await browser.new_context(viewport=viewport)
    page = await context.new_page()
    transferred = await on_fast_3g(context, page)
    try:
        await page.goto(url, wait_until="load")
        await page.wait_for_function(  # a function: an expression is eval'd, which CSP refuses
            "() => (window.viewerFeeds && window.viewerFeeds.session.state === 'live')"
            " || document.body.dataset.feed === 'live'",
            timeout=60000,
        )
        await page.wait_for_load_state("networkidle")
        timing = await page.evaluate("""() => {
            const paint = performance.getEntriesByName("first-contentful-paint")[0];
            // Network idle is declared 500 ms after the last request: that much earlier.
            const settled = performance.now() - 500;
            return { first_paint_ms: paint ? paint.startTime : NaN, settled_ms: settled };
        }""")
        return {**timing, "bytes": sum(transferred.values())}
    finally:
        await context.close()


async def measure(url: str, n: str, s: str, runs: int) -> dict[str, list[dict[str, float]]]:
    from playwright.async_api import async_playwright

    results: dict[str, list[dict[str, float]]] = {"viewer": [], "overlay": []}
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            for _ in range(runs):
                results["viewer"].append(
                    await load(
                        browser,
                        f"{url}/negotiations/{n}/sessions/{s}",
                        {"width": 390, "height": 844},
                    )
                )
                results["overlay"].append(
                    await load(
                        browser, f"{url}/overlays/{n}/lower-third", {"width": 1920, "height": 1080}
                    )
                )
        finally:
            await browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="loads of each page")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be positive")

    from negotiation.database import drop_database, ensure_database_exists, locate_database

    server = locate_database(DATA_DIR, os.environ.get("DATABASE_URL"))
    database = server.with_dbname(f"bench_pages_{uuid.uuid4().hex[:12]}")
    ensure_database_exists(database)
    print(
        f"database {database.dbname}; Fast 3G (562.5 ms RTT, 1.44 Mbit/s down); "
        f"{args.runs} cold loads of each page",
        flush=True,
    )
    try:
        with server_process(database) as url:
            n, s = asyncio.run(setup(url, database))
            results = asyncio.run(measure(url, n, s, args.runs))
    finally:
        drop_database(database)

    summary: dict[str, float] = {}
    for page, runs in results.items():
        for key in ("first_paint_ms", "settled_ms", "bytes"):
            values = [r[key] for r in runs]
            summary[f"{page}_{key}"] = statistics.median(values)
            print(
                f"{page:8} {key:15} median {statistics.median(values):10.0f}  "
                f"runs {', '.join(f'{v:.0f}' for v in values)}"
            )
    print(
        json.dumps(
            {
                "viewer_first_paint_ms": round(summary["viewer_first_paint_ms"]),
                "overlay_first_paint_ms": round(summary["overlay_first_paint_ms"]),
                "viewer_bytes": int(summary["viewer_bytes"]),
                "viewer_settled_ms": round(summary["viewer_settled_ms"]),
                "overlay_bytes": int(summary["overlay_bytes"]),
                "target_viewer_first_paint_ms": 1500,
                "target_viewer_bytes": 100 * 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
