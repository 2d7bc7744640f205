"""Bad input gets a clear 4xx and nothing is recorded; refusals name the rule in words."""

import uuid

from tests.support import expect, open_article, open_table


async def _article(http, table):
    return await open_article(http, table, number="3", title="Wages", category="economic")


async def test_malformed_json_is_a_400_with_a_message(http, people):
    table = await open_table(http, people)
    response = await http.post(
        f"{table.base}/articles",
        headers={**table.union.headers, "content-type": "application/json"},
        content=b"{not json",
    )
    assert response.status_code == 400
    assert response.json()["detail"]


async def test_wrong_types_and_unknown_fields_are_refused(http, people):
    table = await open_table(http, people)
    wrong_type = await http.post(
        f"{table.base}/articles",
        headers=table.union.headers,
        json={"number": 3, "title": "Wages", "category": "economic"},
    )
    assert wrong_type.status_code == 400
    unknown = await http.post(
        f"{table.base}/articles",
        headers=table.union.headers,
        json={"number": "3", "title": "W", "category": "economic", "sneaky": True},
    )
    assert unknown.status_code == 400
    bad_choice = await http.post(
        f"{table.base}/articles",
        headers=table.union.headers,
        json={"number": "3", "title": "W", "category": "luxury"},
    )
    assert bad_choice.status_code == 400


async def test_huge_texts_are_refused_and_nothing_is_recorded(http, people):
    table = await open_table(http, people)
    article = await _article(http, table)
    before = await expect(await http.get(table.base, headers=table.union.headers), 200)
    response = await http.post(
        f"{table.base}/articles/{article['id']}/proposals",
        headers=table.union.headers,
        json={"text": "x" * 300_000},
    )
    assert response.status_code in (400, 413)
    after = await expect(await http.get(table.base, headers=table.union.headers), 200)
    assert after["version"] == before["version"]


async def test_unknown_ids_are_404_with_a_message(http, people):
    table = await open_table(http, people)
    missing_negotiation = await http.get(f"/api/negotiations/{uuid.uuid4()}")
    assert missing_negotiation.status_code == 404
    assert "No negotiation" in missing_negotiation.json()["detail"]
    missing_article = await http.post(
        f"{table.base}/articles/nope/proposals", headers=table.union.headers, json={"text": "t"}
    )
    assert missing_article.status_code == 404
    assert missing_article.json()["rule"] == "not_found"
    not_a_uuid = await http.get("/api/negotiations/not-a-uuid")
    assert 400 <= not_a_uuid.status_code < 500


async def test_nul_characters_are_refused_not_a_server_error(http, people):
    person = people()
    label = await http.post(
        "/api/auth/tokens", headers=person.headers, json={"label": "bad\u0000label"}
    )
    assert label.status_code == 400
    path = await http.delete("/api/auth/tokens/bad%00id", headers=person.headers)
    assert 400 <= path.status_code < 500


async def test_counter_that_answers_an_old_proposal_is_409_naming_the_rule(http, people):
    table = await open_table(http, people)
    article = await _article(http, table)
    proposals = f"{table.base}/articles/{article['id']}/proposals"
    first = await expect(
        await http.post(proposals, headers=table.union.headers, json={"text": "5%"}), 201
    )
    await expect(
        await http.post(
            proposals, headers=table.employer.headers, json={"text": "1%", "answers": first["id"]}
        ),
        201,
    )
    second = await expect(
        await http.post(
            proposals, headers=table.union.headers, json={"text": "4%", "answers": None}
        ),
        409,
    )
    assert second["rule"] == "must_answer_latest_proposal"
    assert "must answer" in second["detail"]


async def test_someone_off_the_team_gets_403(http, people):
    table = await open_table(http, people)
    article = await _article(http, table)
    stranger = people()
    response = await http.post(
        f"{table.base}/articles/{article['id']}/proposals",
        headers=stranger.headers,
        json={"text": "mine"},
    )
    assert response.status_code == 403
    assert response.json()["rule"] == "not_on_team"


async def test_tabling_during_a_caucus_is_refused_with_409(http, people):
    table = await open_table(http, people)
    article = await _article(http, table)
    await expect(
        await http.post(
            f"{table.base}/sessions/{table.session_id}/caucus", headers=table.employer.headers
        ),
        200,
    )
    response = await http.post(
        f"{table.base}/articles/{article['id']}/proposals",
        headers=table.union.headers,
        json={"text": "now"},
    )
    assert response.status_code == 409
    assert response.json()["rule"] == "not_at_the_table"
    assert "caucus" in response.json()["detail"]


async def test_union_records_employer_proposal_as_received_when_employer_is_offline(http, people):
    union = people()
    created = await expect(
        await http.post(
            "/api/negotiations",
            headers=union.headers,
            json={
                "title": "Offline employer",
                "kind": "meet_and_confer",
                "bargaining_unit": "Clerks",
                "union_name": "Clerks Union",
                "employer_name": "City",
                "my_party": "union",
            },
        ),
        201,
    )
    base = f"/api/negotiations/{created['id']}"
    offer = await expect(
        await http.post(
            f"{base}/ground-rules", headers=union.headers, json={"written_exchange_allowed": True}
        ),
        201,
    )
    await expect(
        await http.post(
            f"{base}/ground-rules/{offer['id']}/agree",
            headers=union.headers,
            json={"as_received": True},
        ),
        200,
    )
    article = await expect(
        await http.post(
            f"{base}/articles",
            headers=union.headers,
            json={"number": "1", "title": "Hours", "category": "non_economic"},
        ),
        201,
    )
    received = await expect(
        await http.post(
            f"{base}/articles/{article['id']}/proposals",
            headers=union.headers,
            json={"text": "40 hours", "as_received": True},
        ),
        201,
    )
    history = await expect(
        await http.get(f"{base}/articles/{article['id']}", headers=union.headers), 200
    )
    (proposal,) = history["proposals"]
    assert proposal["proposal_id"] == received["id"]
    assert proposal["party"] == "employer" and proposal["as_received"] is True
    assert proposal["in_writing"] is True


async def test_audit_filters_postgresql_cannot_hold_are_a_400_before_any_export_starts(
    http, people
):
    person = people()
    for path in ("/api/audit", "/api/audit/export.jsonl", "/api/audit/export.csv"):
        response = await http.get(path, headers=person.headers, params={"actor": "\x00"})
        assert response.status_code == 400, (path, response.text)
        assert "NUL" in response.json()["detail"]


async def test_dates_outside_what_can_be_stored_are_a_400_not_a_server_error(http, people):
    table = await open_table(http, people)
    for starts_at in (
        "0001-01-01T00:00:00+14:00",  # a year 0 in UTC
        "9999-12-31T23:59:59-14:00",  # a year 10000 in UTC
    ):
        response = await http.post(
            f"{table.base}/sessions",
            headers=table.union.headers,
            json={"visibility": "open", "location": "Hall", "starts_at": starts_at},
        )
        assert response.status_code == 400, (starts_at, response.text)
        assert "range" in response.json()["detail"]


async def test_deeply_nested_bodies_are_a_400_not_a_server_error(http, people):
    table = await open_table(http, people)
    article = await _article(http, table)
    for path in (
        f"{table.base}/notes",
        f"{table.base}/packages",
        f"{table.base}/articles/{article['id']}/proposals",
    ):
        response = await http.post(
            path,
            headers={**table.union.headers, "content-type": "application/json"},
            content=b"[" * 100_000,
        )
        assert response.status_code == 400, (path, response.status_code, response.text)
        assert response.json()["detail"]


HOSTILE_BODIES = [
    b"[" * 100_000,
    b'{"a":' * 50_000,
    b'{"text": "' + b"\\ud800" + b'"}',  # a lone surrogate
    b'{"text": NaN}',
    b'{"number": 1e999, "title": "x", "category": "economic"}',
    b'{"capacity": 123456789012345678901234567890}',
    b'{"starts_at": "0001-01-01T00:00:00+14:00", "visibility": "open", "location": "x"}',
    b"\xff\xfe\x00",
    b"null",
    b'"just a string"',
]


async def test_no_route_answers_hostile_json_with_a_server_error(http, people, server):
    table = await open_table(http, people)
    await _article(http, table)
    real = {"negotiation_id": table.negotiation_id, "session_id": table.session_id}
    seen = 0
    statuses = set()
    for route in server.app.routes:
        if not route.path.startswith("/api") or route.path == "/api/auth/logout":
            continue  # signing out would leave the rest of the run unauthenticated
        path = route.path
        for name, parameter in route.path_parameters.items():
            value = real.get(name, "x" * 32)
            path = path.replace("{" + parameter.full + "}", value)
        for method in sorted(route.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            for body in HOSTILE_BODIES:
                response = await http.request(
                    method,
                    path,
                    content=body,
                    headers={**table.union.headers, "content-type": "application/json"},
                )
                seen += 1
                statuses.add(response.status_code)
                assert response.status_code < 500, (method, path, body[:40], response.text)
    assert seen > 100
    assert 401 not in statuses, "the table's token stopped working: the run proves little"


async def test_bodies_are_decoded_strictly_as_the_schema_says(http, people):
    """Litestar's lax conversion took 0 for false and a number for a date; msgspec's strict
    decoding refuses both, and takes 40.0 for the integer 40 as JSON Schema does."""
    table = await open_table(http, people)
    session = {"visibility": "open", "location": "Hall", "starts_at": "2030-01-01T09:00:00Z"}
    for wrong in ({"starts_at": 1893488400}, {"capacity": "40"}, {"capacity": True}):
        response = await http.post(
            f"{table.base}/sessions", headers=table.union.headers, json={**session, **wrong}
        )
        assert response.status_code == 400, (wrong, response.text)
        (problem,) = response.json()["extra"]
        assert problem["key"] == next(iter(wrong)) and problem["source"] == "body"
    await expect(
        await http.post(
            f"{table.base}/sessions",
            headers=table.union.headers,
            json={**session, "capacity": 40.0},
        ),
        201,
    )
    as_received = await http.post(
        f"{table.base}/articles",
        headers=table.union.headers,
        json={"number": "3", "title": "Wages", "category": "economic", "as_received": 0},
    )
    assert as_received.status_code == 400


HOSTILE_QUERIES = [  # raw, as sent: %ED%A0%80 is a lone surrogate, %00 a NUL
    "after=99999999999999999999999&limit=-1",
    "after=-99999999999999999999999&limit=1e9",
    "after=NaN&to=inf&from_=-0",
    "negotiation_id=%00&actor=%ED%A0%80&type=" + "%5B" * 5000,
    "session_id=" + "x" * 20_000,
    "feed=nope&token=%00&article_id=%FF%FE",
]


async def test_no_page_or_read_answers_hostile_query_strings_with_a_server_error(
    http, people, server
):
    table = await open_table(http, people)
    article = await _article(http, table)
    real = {
        "negotiation_id": table.negotiation_id,
        "session_id": table.session_id,
        "article_id": article["id"],
    }
    seen = 0
    for route in server.app.routes:
        if "GET" not in getattr(route, "methods", ()) or route.path.startswith(
            ("/schema", "/static")
        ):
            continue
        path = route.path
        for name, parameter in route.path_parameters.items():
            path = path.replace("{" + parameter.full + "}", real.get(name, "x" * 32))
        for query in HOSTILE_QUERIES:
            response = await http.get(f"{path}?{query}", headers=table.union.headers)
            seen += 1
            assert response.status_code < 500, (path, query, response.text[:200])
    assert seen > 50


async def test_a_nul_in_any_body_field_is_refused_before_it_can_stop_the_projections(http, people):
    """An article number took a NUL (its field had no NO_NUL pattern): recorded, the event
    could not be written to the audit log, and every projection stopped behind it."""
    table = await open_table(http, people)
    for number in ("1\u0000", "\u0000"):
        response = await http.post(
            f"{table.base}/articles",
            headers=table.union.headers,
            json={"number": number, "title": "Wages", "category": "economic"},
        )
        assert response.status_code == 400, response.text
        assert "NUL" in response.json()["detail"]
    # A backslash followed by "u0000" is text, not a NUL.
    created = await expect(
        await http.post(
            f"{table.base}/articles",
            headers=table.union.headers,
            json={"number": "2", "title": "Wages \\u0000", "category": "economic"},
        ),
        201,
    )
    board = await expect(
        await http.get(
            table.base, headers=table.union.headers, params={"after": created["position"]}
        ),
        200,
    )
    assert created["id"] in {a["article_id"] for a in board["articles"]}
