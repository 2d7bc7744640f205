"""The member-facing pages refuse bad addresses and input with a 4xx, never a 500."""

import pytest

from tests.support import open_table


@pytest.mark.parametrize(
    "path",
    [
        "/negotiations/not-an-id/sessions/x",
        "/negotiations/00000000-0000-0000-0000-000000000000/sessions/x",
        "/negotiations/{n}/sessions/no-such-session",
        "/negotiations/{n}/articles/no-such-article",
        "/negotiations/{n}/sessions/{s}/bulletins/0",
        "/negotiations/{n}/sessions/{s}/bulletins/-1",
        "/negotiations/{n}/sessions/{s}/bulletins/99999999999999999999999",
        "/overlays/{n}/no-such-graphic",
        "/overlays/not-an-id/caucus",
    ],
)
async def test_a_page_that_does_not_exist_is_a_404_or_400(http, people, path):
    table = await open_table(http, people)
    response = await http.get(path.format(n=table.negotiation_id, s=table.session_id))
    assert 400 <= response.status_code < 500, response.text


async def test_an_article_page_ignores_versions_it_does_not_know(http, people):
    table = await open_table(http, people)
    article = await http.post(
        f"{table.base}/articles",
        headers=table.union.headers,
        json={"number": "1", "title": "Scope", "category": "non_economic"},
    )
    response = await http.get(
        f"/negotiations/{table.negotiation_id}/articles/{article.json()['id']}",
        params={"from_": "\x00bogus", "to": "x" * 5000, "lang": "zz"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"before": 1, "after": "x"}',
        b'{"before": "a"}',
        b'{"before": "", "after": "", "x": 1}',
    ],
)
async def test_a_redline_request_that_is_not_two_texts_is_refused(http, body):
    response = await http.post(
        "/pages/redline", content=body, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500


async def test_a_redline_of_texts_longer_than_any_article_is_refused(http):
    response = await http.post("/pages/redline", json={"before": "a " * 60_000, "after": ""})
    assert response.status_code == 400
    assert "100,000 characters" in response.text


async def test_a_redline_marks_up_two_texts(http):
    response = await http.post(
        "/pages/redline", json={"before": "shall be 30 days", "after": "shall be 25 days"}
    )
    assert response.json() == {"html": "shall be <del>30</del><ins>25</ins> days"}


async def test_a_page_says_its_language_and_that_it_varies_with_it(http):
    response = await http.get("/", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert response.headers["content-language"] == "es"
    assert "Accept-Language" in response.headers["vary"]
    assert '<html lang="es">' in response.text
    chosen = await http.get("/", params={"lang": "en"}, headers={"Accept-Language": "es"})
    assert '<html lang="en">' in chosen.text and "lang=en" in chosen.headers["set-cookie"]
