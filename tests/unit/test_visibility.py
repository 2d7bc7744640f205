"""Who sees what (DOMAIN.md): session content by visibility, and team-private data."""

import pytest

from negotiation.domain.visibility import PUBLIC, Audience, sees_agreed_language

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
    [PUBLIC, UNIT_MEMBER, UNION_TEAM, OFFICIAL],
    ids=["public", "member", "team", "official"],
)
def test_a_member_on_the_roll_reads_all_the_agreed_language_others_as_its_session_allows(audience):
    # then: with a credential on the roll, every article's language; otherwise the session's rule
    for visibility in ("open", "members", "closed"):
        assert sees_agreed_language(audience, visibility, on_roll=True)
        assert sees_agreed_language(audience, visibility) is audience.sees_session(visibility)


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


def test_a_thing_recorded_in_writing_is_for_members_and_an_unknown_visibility_for_the_teams():
    from negotiation.domain.visibility import recorded_visibility

    assert recorded_visibility(None) == "members"
    assert [recorded_visibility(v) for v in ("open", "members", "closed")] == [
        "open",
        "members",
        "closed",
    ]
    assert recorded_visibility("secret") == "closed"


@pytest.mark.parametrize(
    ("event_type", "party", "visibility", "label"),
    [
        ("ArticleOpened", "union", "closed", "public"),  # status: anyone, whatever the session
        ("SessionClosed", None, "closed", "public"),
        ("LateArticleRequested", "union", None, "members"),
        ("ProposalDrafted", "employer", "open", "employer"),  # a team's own, even in the open
        ("TeamNoteRecorded", "union", "open", "union"),
        ("ProposalTabled", "union", "open", "public"),
        ("ProposalTabled", "union", "members", "members"),
        ("ProposalTabled", "union", "closed", "teams"),
        ("ProposalTabled", "union", None, "members"),  # in writing
        ("BulletinPublished", "union", "closed", "teams"),
    ],
)
def test_each_event_gets_the_label_of_who_may_read_it(event_type, party, visibility, label):
    from negotiation.domain.visibility import event_label

    assert event_label(event_type, party, visibility) == label


@pytest.mark.parametrize(
    ("audience", "labels"),
    [
        (PUBLIC, ["public"]),
        (UNIT_MEMBER, ["public", "members"]),
        (OFFICIAL, ["public", "members"]),
        (UNION_TEAM, ["public", "members", "teams", "union"]),
        (EMPLOYER_TEAM, ["public", "members", "teams", "employer"]),
    ],
)
def test_each_audience_reads_its_labels(audience, labels):
    from negotiation.domain.visibility import labels_seen_by

    assert labels_seen_by(audience) == labels
    assert all(audience.sees_label(label) for label in labels)
