"""Who sees what, over HTTP, for every role: public, signed-in outsider, unit member,
each team, and an administrator (an official)."""

import pytest

from tests.support import expect, open_table, table_proposal

UNIT = "Visibility Unit"


async def _proposal_in_session(http, table, visibility, text):
    """Close the running session, open a new one of `visibility`, table `text` in it."""
    session = await expect(
        await http.post(
            f"{table.base}/sessions",
            headers=table.union.headers,
            json={
                "visibility": visibility,
                "location": "Room",
                "starts_at": "2026-11-25T16:00:00+00:00",
            },
        ),
        201,
    )
    view = await expect(await http.get(table.base, headers=table.union.headers), 200)
    for running in view["sessions"]:
        if running["status"] in ("open", "recessed"):
            await expect(
                await http.post(
                    f"{table.base}/sessions/{running['session_id']}/close",
                    headers=table.union.headers,
                ),
                200,
            )
    await expect(
        await http.post(f"{table.base}/sessions/{session['id']}/open", headers=table.union.headers),
        200,
    )
    article = await expect(
        await http.post(
            f"{table.base}/articles",
            headers=table.union.headers,
            json={"number": visibility, "title": "Subject", "category": "economic"},
        ),
        201,
    )
    await table_proposal(http, table, article["id"], table.union, text)
    return session["id"], article["id"]


@pytest.fixture(scope="module")
async def scene(server, http_module, people_module):
    http, people = http_module, people_module
    table = await open_table(http, people, unit=UNIT)
    sessions = {}
    for visibility in ("open", "members", "closed"):
        sessions[visibility] = await _proposal_in_session(
            http, table, visibility, f"{visibility} language"
        )
    draft = await expect(
        await http.post(
            f"{table.base}/drafts",
            headers=table.union.headers,
            json={"article_id": sessions["open"][1], "text": "secret union draft"},
        ),
        201,
    )
    await expect(
        await http.post(
            f"{table.base}/notes",
            headers=table.employer.headers,
            json={"text": "employer strategy note"},
        ),
        201,
    )
    roles = {
        "public": None,
        "outsider": people(),
        "member": people(units=(UNIT,)),
        "union": table.union,
        "employer": table.employer,
        "admin": people(is_admin=True),
    }
    return table, sessions, draft["id"], roles


SEES = {  # role -> which session visibilities show their content
    "public": {"open"},
    "outsider": {"open"},
    "member": {"open", "members"},
    "union": {"open", "members", "closed"},
    "employer": {"open", "members", "closed"},
    "admin": {"open", "members"},
}


@pytest.mark.parametrize("role", list(SEES))
async def test_proposal_language_follows_session_visibility(scene, http_module, role):
    table, sessions, _, roles = scene
    headers = roles[role].headers if roles[role] else {}
    for visibility, (_, article_id) in sessions.items():
        article = await expect(
            await http_module.get(f"{table.base}/articles/{article_id}", headers=headers), 200
        )
        texts = [p["text"] for p in article["proposals"]]
        if visibility in SEES[role]:
            assert texts == [f"{visibility} language"], (role, visibility)
        else:
            assert texts == [] and article["hidden_proposals"] == 1, (role, visibility)


@pytest.mark.parametrize("role", list(SEES))
async def test_session_details_follow_visibility_and_status_is_always_shown(
    scene, http_module, role
):
    table, sessions, _, roles = scene
    headers = roles[role].headers if roles[role] else {}
    for visibility, (session_id, _) in sessions.items():
        session = await expect(
            await http_module.get(f"{table.base}/sessions/{session_id}", headers=headers), 200
        )
        assert session["status"] in ("open", "closed")
        assert session["details_visible"] is (visibility in SEES[role]), (role, visibility)
        if visibility not in SEES[role]:
            assert session["location"] is None and session["agenda"] is None


@pytest.mark.parametrize("role", list(SEES))
async def test_drafts_and_team_notes_reach_their_own_party_only(scene, http_module, role):
    table, _, draft_id, roles = scene
    headers = roles[role].headers if roles[role] else {}
    view = await expect(await http_module.get(table.base, headers=headers), 200)
    body = str(view)
    assert ("secret union draft" in body) is (role == "union")
    assert ("employer strategy note" in body) is (role == "employer")
    assert [d["draft_id"] for d in view["drafts"]] == ([draft_id] if role == "union" else [])


async def test_another_teams_draft_cannot_be_revised_or_tabled(scene, http_module):
    table, _, draft_id, _ = scene
    for method, path, body in (
        ("PUT", f"/drafts/{draft_id}", {"text": "hijack"}),
        ("POST", f"/drafts/{draft_id}/table", {}),
    ):
        response = await http_module.request(
            method, table.base + path, headers=table.employer.headers, json=body
        )
        assert response.status_code == 404  # not even its existence is confirmed
