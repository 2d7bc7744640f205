"""What the session viewer page carries for each audience (DOMAIN.md "Who sees what")."""

import pytest

from tests.support import (
    add_to_team,
    bring_to_table,
    expect,
    open_article,
    open_table,
    table_proposal,
)

SECRET = "Language moved behind closed doors."


async def closed_session_with_a_proposal(http, people, visibility="closed"):
    table = await open_table(http, people, visibility=visibility)
    article = await open_article(http, table)
    await bring_to_table(http, table, article["id"])
    await table_proposal(http, table, article["id"], table.union, SECRET)
    return table, article


def viewer_path(table):
    return f"/negotiations/{table.negotiation_id}/sessions/{table.session_id}"


@pytest.mark.parametrize("who", ["public", "unit member", "administrator"])
async def test_a_closed_session_shows_only_its_status_outside_the_teams(http, people, admin, who):
    table, article = await closed_session_with_a_proposal(http, people)
    headers = {
        "public": {},
        "unit member": people(units=("Educators",)).headers,
        "administrator": admin.headers,
    }[who]
    page = await http.get(viewer_path(table), headers=headers)
    assert page.status_code == 200
    assert SECRET not in page.text
    assert 'id="hidden-notice"' in page.text and 'id="sides"' not in page.text
    assert 'data-status="open"' in page.text  # its status is public
    history = await http.get(
        f"/negotiations/{table.negotiation_id}/articles/{article['id']}", headers=headers
    )
    assert history.status_code == 200 and SECRET not in history.text


async def test_a_team_member_sees_the_closed_session_whole(http, people):
    table, _ = await closed_session_with_a_proposal(http, people)
    colleague = people()
    await add_to_team(http, table, colleague, party="employer")
    page = await http.get(viewer_path(table), headers=colleague.headers)
    assert SECRET in page.text and 'id="hidden-notice"' not in page.text


async def test_the_room_display_shows_the_table_in_large_type(http, people):
    table = await open_table(http, people)
    page = await http.get(viewer_path(table), params={"display": "room"})
    assert 'class="viewer room"' in page.text
    assert "Back to the phone view" in page.text


@pytest.mark.parametrize("who", ["public", "unit member", "administrator"])
async def test_a_closed_sessions_bulletin_page_is_only_for_the_teams(http, people, admin, who):
    table, _ = await closed_session_with_a_proposal(http, people)
    await expect(
        await http.post(
            f"{table.base}/sessions/{table.session_id}/bulletins",
            headers=table.union.headers,
            json={"text": SECRET},
        ),
        201,
    )
    path = f"{viewer_path(table)}/bulletins/0"
    headers = {
        "public": {},
        "unit member": people(units=("Educators",)).headers,
        "administrator": admin.headers,
    }[who]
    outside = await http.get(path, headers=headers)
    assert outside.status_code == 404 and SECRET not in outside.text
    team = await http.get(path, headers=table.employer.headers)
    assert team.status_code == 200 and SECRET in team.text


async def test_an_overlay_is_the_publics_view_even_for_a_team_member(http, people):
    # A team member's browser source must not put a closed session's table on the stream.
    table, _ = await closed_session_with_a_proposal(http, people)
    path = f"/overlays/{table.negotiation_id}"
    for headers in ({}, table.union.headers):
        lower_third = await http.get(f"{path}/lower-third", headers=headers)
        assert lower_third.status_code == 200
        assert "Class size" not in lower_third.text  # the article on the closed table
        clock = await http.get(f"{path}/clock", headers=headers)
        assert 'data-opened=""' in clock.text  # the closed session's clock is not shown


async def test_a_members_only_sessions_language_stays_off_the_publics_pages(http, people):
    table, article = await closed_session_with_a_proposal(http, people, "members")
    member = people(units=("Educators",)).headers
    pages = (
        viewer_path(table),
        f"/negotiations/{table.negotiation_id}/articles/{article['id']}",
        f"/overlays/{table.negotiation_id}/lower-third",
    )
    for path in pages:
        public = await http.get(path)
        assert public.status_code == 200 and SECRET not in public.text, path
    for path in pages[:2]:
        assert SECRET in (await http.get(path, headers=member)).text, path
