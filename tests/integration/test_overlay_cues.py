"""The producer's overlay cues over real HTTP, as every role: the teams of either party and the
facilitator cue; anyone else is refused with a 403 sentence and nothing is recorded. The
producer page follows the same rule, and an overlay's first paint carries the cue."""

import pytest

from tests.live_support import FeedClient
from tests.support import add_to_team, expect, open_table


@pytest.fixture
async def roles(http, people):
    table = await open_table(http, people)
    admin = people(is_admin=True)
    facilitator = people(name="Fay Facilitator")
    await expect(
        await http.post(
            f"{table.base}/facilitators",
            headers=admin.headers,
            json={"username": facilitator.username},
        ),
        201,
    )
    union_member, employer_member = people(name="Una Member"), people(name="Emil Member")
    await add_to_team(http, table, union_member, "union")
    await add_to_team(http, table, employer_member, "employer")
    return table, {
        "union chief": table.union.headers,
        "union member": union_member.headers,
        "employer chief": table.employer.headers,
        "employer member": employer_member.headers,
        "facilitator": facilitator.headers,
        "admin": admin.headers,
        "unit member": people(units=("Educators",)).headers,
        "outsider": people().headers,
        "public": {},
    }


PRODUCERS = ("union chief", "union member", "employer chief", "employer member", "facilitator")


async def test_every_role_that_may_cue_does_and_every_other_is_refused_by_a_sentence(http, roles):
    table, who = roles
    speaker = f"{table.base}/sessions/{table.session_id}/speaker"
    before = await expect(await http.get(f"{table.base}/overlay"), 200)
    for role, headers in who.items():
        cues = [
            (f"{table.base}/overlays/clock/hide", None),
            (f"{table.base}/overlays/clock/show", None),
            (speaker, {"name": f"Speaker for {role}", "title": "Chair"}),
            (f"{speaker}/clear", None),
        ]
        for url, body in cues:
            response = await http.post(url, headers=headers, json=body or {})
            if role in PRODUCERS:
                assert response.status_code == 200, (role, url, response.text)
            else:
                expected = 401 if role == "public" else 403
                assert response.status_code == expected, (role, url, response.text)
                assert response.json()["detail"].strip()
                if expected == 403:
                    assert "cue the livestream overlays" in response.json()["detail"]
    # Each producer's four cues are four events; the refused ones recorded nothing.
    after = await expect(await http.get(f"{table.base}/overlay"), 200)
    assert after["version"] == before["version"] + 4 * len(PRODUCERS)
    assert after["parts"]["overlay"]["hidden"] == []
    assert after["parts"]["overlay"]["speaker_name"] is None


async def test_refusals_name_the_rule(http, roles):
    table, who = roles
    union = who["union member"]
    shown = await http.post(f"{table.base}/overlays/caucus/show", headers=union, json={})
    assert shown.status_code == 409 and "already on air" in shown.json()["detail"]
    unknown = await http.post(f"{table.base}/overlays/weather/hide", headers=union, json={})
    assert unknown.status_code in (400, 422) and unknown.json()["detail"]
    empty = await http.post(
        f"{table.base}/sessions/{table.session_id}/speaker", headers=union, json={"name": ""}
    )
    assert empty.status_code in (400, 422) and empty.json()["detail"]
    cleared = await http.post(
        f"{table.base}/sessions/{table.session_id}/speaker/clear", headers=union, json={}
    )
    assert cleared.status_code == 409 and "No speaker is on air" in cleared.json()["detail"]


async def test_the_producer_page_is_for_the_teams_and_the_facilitator(http, roles):
    table, who = roles
    path = f"/producer/{table.negotiation_id}"
    for role, headers in who.items():
        response = await http.get(path, headers=headers, follow_redirects=False)
        if role in PRODUCERS:
            assert response.status_code == 200, role
            assert 'id="speaker-form"' in response.text
        elif role == "public":
            assert response.status_code in (302, 303, 307)
            assert response.headers["location"] == f"/sign-in?next={path}"  # and back
        else:
            assert response.status_code == 403, role
            assert "bargaining teams and the facilitator" in response.text


async def test_a_fresh_overlay_paints_the_cues_as_they_stand(http, roles):
    table, who = roles
    union = who["union member"]
    await expect(await http.post(f"{table.base}/overlays/lower-third/hide", headers=union), 200)
    done = await expect(
        await http.post(
            f"{table.base}/sessions/{table.session_id}/speaker",
            headers=union,
            json={"name": "Ana Ruiz", "title": "President, Local 5"},
        ),
        200,
    )
    after = {"after": done["position"]}
    lower = await http.get(f"/overlays/{table.negotiation_id}/lower-third", params=after)
    assert '<div class="graphic lower-third" id="graphic" hidden>' in lower.text
    speaker = await http.get(f"/overlays/{table.negotiation_id}/speaker", params=after)
    assert "Ana Ruiz" in speaker.text and "President, Local 5" in speaker.text
    assert 'id="graphic" hidden' not in speaker.text


async def test_a_members_only_sessions_speaker_never_reaches_the_public_overlay(http, people):
    table = await open_table(http, people, visibility="members")
    done = await expect(
        await http.post(
            f"{table.base}/sessions/{table.session_id}/speaker",
            headers=table.union.headers,
            json={"name": "Ana Ruiz", "title": "President"},
        ),
        200,
    )
    after = {"after": done["position"]}
    for headers in ({}, table.union.headers):  # an overlay is the public's, whoever loads it
        page = await http.get(
            f"/overlays/{table.negotiation_id}/speaker", params=after, headers=headers
        )
        assert page.status_code == 200 and "Ana Ruiz" not in page.text
    producer = await http.get(
        f"/producer/{table.negotiation_id}", params=after, headers=table.union.headers
    )
    assert "Ana Ruiz" in producer.text  # the team sees what it put on air


async def test_the_overlays_feed_is_the_publics_even_for_a_signed_in_team(server, http, people):
    table = await open_table(http, people, visibility="members")
    await expect(
        await http.post(
            f"{table.base}/sessions/{table.session_id}/speaker",
            headers=table.union.headers,
            json={"name": "Ana Ruiz", "title": "President"},
        ),
        200,
    )
    url = f"ws://127.0.0.1:{server.port}/ws/negotiations/{table.negotiation_id}/?feed=overlay"
    seen = {}
    for query in ("", "&audience=public"):
        client = FeedClient(url + query, headers=table.union.headers)
        await client.open()
        try:
            await client.receive_until(lambda _m, c: "overlay" in c.parts)
            seen[query] = client.parts["overlay"]["speaker_name"]
        finally:
            await client.close()
    assert seen == {"": "Ana Ruiz", "&audience=public": None}
