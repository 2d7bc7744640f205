"""Who sees what (DOMAIN.md): session content by visibility, and team-private data."""

import pytest

from negotiation.domain.visibility import PUBLIC, Audience

UNION_TEAM = Audience(party="union")
EMPLOYER_TEAM = Audience(party="employer")
UNIT_MEMBER = Audience(unit_member=True)
OFFICIAL = Audience(official=True)


@pytest.mark.parametrize(
    ("audience", "open_", "members", "closed"),
    [
        (PUBLIC, True, False, False),
        (UNIT_MEMBER, True, True, False),
        (UNION_TEAM, True, True, True),
        (EMPLOYER_TEAM, True, True, True),
        (OFFICIAL, True, True, False),
    ],
    ids=["public", "unit member", "union team", "employer team", "official"],
)
def test_session_content_is_seen_according_to_its_visibility(audience, open_, members, closed):
    # then
    assert audience.sees_session("open") is open_
    assert audience.sees_session("members") is members
    assert audience.sees_session("closed") is closed


@pytest.mark.parametrize(
    "audience",
    [PUBLIC, UNIT_MEMBER, OFFICIAL, EMPLOYER_TEAM, Audience(unit_member=True, official=True)],
    ids=["public", "unit member", "official", "other team", "member and official"],
)
def test_union_team_private_data_is_hidden_from_everyone_but_the_union_team(audience):
    # then
    assert audience.sees_team_private("union") is False


def test_team_sees_its_own_private_data():
    # then
    assert UNION_TEAM.sees_team_private("union") is True
    assert EMPLOYER_TEAM.sees_team_private("employer") is True
