"""The pages' static files go out gzip-compressed to browsers that accept it; the pages do not."""

import gzip
from pathlib import Path

STATIC = Path(__file__).parents[2] / "web" / "static"
CRYPTO = "vendor/noble-curves/abstract/edwards.js"  # one of the ballot page's largest modules


async def test_a_static_file_is_sent_compressed_and_arrives_unchanged(http):
    original = (STATIC / CRYPTO).read_bytes()
    # The bytes as sent (aiter_raw): httpx would otherwise decode them.
    async with http.stream(
        "GET", f"/static/{CRYPTO}", headers={"accept-encoding": "gzip"}
    ) as response:
        sent = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"].startswith("text/javascript")
    assert gzip.decompress(sent) == original
    assert len(sent) < len(original) / 2


async def test_a_browser_that_does_not_accept_gzip_gets_the_file_as_it_is(http):
    original = (STATIC / CRYPTO).read_bytes()
    response = await http.get(f"/static/{CRYPTO}", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in response.headers
    assert response.content == original


async def test_a_page_is_not_compressed(http):
    # Pages reflect input beside what only the reader may see: no compression to measure.
    response = await http.get("/", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
