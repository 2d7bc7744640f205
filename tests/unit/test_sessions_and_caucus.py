"""Sessions at the table: who runs them, visibility, one at a time, caucuses, recesses, writing."""

import pytest

from negotiation.domain import errors
from negotiation.domain.ground_rules import GroundRules
from tests.unit.builders import (
    EMPLOYER_CHIEF,
    EMPLOYER_MEMBER,
    FACILITATOR,
    OUTSIDER,
    UNION_CHIEF,
    UNION_MEMBER,
    agree_ground_rules,
    at_the_table,
    event_names,
    new_negotiation,
    now,
    refused,
    schedule_session,
)

# ---------------------------------------------------------------- scheduling and visibility


def test_closed_session_may_be_scheduled_before_ground_rules():
    # given
    negotiation = new_negotiation()
    # when
    session_id = schedule_session(negotiation, visibility="closed")
    # then
    session = negotiation.state.sessions[session_id]
    assert session.status == "scheduled"
    assert session.visibility == "closed"


@pytest.mark.parametrize("visibility", ["open", "members"])
def test_public_session_before_ground_rules_is_refused(visibility):
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.VisibilityNotAllowed):
        schedule_session(negotiation, visibility=visibility)


def test_open_session_when_ground_rules_forbid_open_sessions_is_refused():
    # given
    negotiation = new_negotiation()
    agree_ground_rules(negotiation, open_sessions_allowed=False)
    # when / then
    with refused(negotiation, errors.VisibilityNotAllowed):
        schedule_session(negotiation, visibility="open")


def test_members_session_when_ground_rules_forbid_members_sessions_is_refused():
    # given
    negotiation = new_negotiation()
    agree_ground_rules(negotiation, members_sessions_allowed=False)
    # when / then
    with refused(negotiation, errors.VisibilityNotAllowed):
        schedule_session(negotiation, visibility="members")


def test_members_session_allowed_when_only_open_sessions_are_forbidden():
    # given
    negotiation = new_negotiation()
    agree_ground_rules(negotiation, open_sessions_allowed=False)
    # when
    session_id = schedule_session(negotiation, visibility="members")
    # then
    assert negotiation.state.sessions[session_id].visibility == "members"


@pytest.mark.parametrize("forbidden", ["open", "members"])
def test_session_changed_to_a_visibility_the_ground_rules_forbid_is_refused(forbidden):
    # given: ground rules that allow no public sessions, and a closed session
    negotiation = new_negotiation()
    agree_ground_rules(negotiation, open_sessions_allowed=False, members_sessions_allowed=False)
    session_id = schedule_session(negotiation, visibility="closed")
    # when / then: it cannot be made more public later either
    with refused(negotiation, errors.VisibilityNotAllowed):
        negotiation.change_session_visibility(
            UNION_CHIEF, session_id=session_id, visibility=forbidden
        )


def test_open_session_scheduled_when_ground_rules_allow_it():
    # given
    negotiation = new_negotiation()
    agree_ground_rules(negotiation)
    # when
    session_id = schedule_session(negotiation, visibility="open")
    # then
    assert negotiation.state.sessions[session_id].visibility == "open"


def test_session_start_without_a_time_zone_is_refused():
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.InvalidRequest):
        negotiation.schedule_session(
            UNION_CHIEF,
            title="S",
            visibility="closed",
            location="Hall",
            starts_at=now().replace(tzinfo=None),
        )


def test_facilitator_schedules_a_session():
    # given
    negotiation = new_negotiation()
    # when
    session_id = negotiation.schedule_session(
        FACILITATOR, title="S", visibility="closed", location="Hall", starts_at=now()
    )
    # then
    assert session_id in negotiation.state.sessions


def test_employer_chief_schedules_a_session():
    # given
    negotiation = new_negotiation()
    # when
    session_id = negotiation.schedule_session(
        EMPLOYER_CHIEF, title="S", visibility="closed", location="Hall", starts_at=now()
    )
    # then
    assert session_id in negotiation.state.sessions


def test_team_member_who_is_not_chief_cannot_schedule_a_session():
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.ChiefNegotiatorOnly):
        negotiation.schedule_session(
            UNION_MEMBER, title="S", visibility="closed", location="Hall", starts_at=now()
        )


def test_outsider_cannot_schedule_a_session():
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.NotOnTeam):
        negotiation.schedule_session(
            OUTSIDER, title="S", visibility="closed", location="Hall", starts_at=now()
        )


# ---------------------------------------------------------------- opening, recess, closing


def test_chief_opens_a_scheduled_session():
    # given
    negotiation = new_negotiation()
    session_id = schedule_session(negotiation)
    # when
    negotiation.open_session(EMPLOYER_CHIEF, session_id=session_id)
    # then
    session = negotiation.state.sessions[session_id]
    assert session.status == "open"
    assert session.opened_at is not None


@pytest.mark.parametrize("command", ["open_session", "close_session", "recess_session"])
def test_team_member_who_is_not_chief_cannot_run_a_session(command):
    # given
    table = at_the_table()
    if command == "open_session":
        table.negotiation.close_session(UNION_CHIEF, session_id=table.session_id)
        session_id = schedule_session(table.negotiation)
    else:
        session_id = table.session_id
    # when / then
    with refused(table.negotiation, errors.ChiefNegotiatorOnly):
        getattr(table.negotiation, command)(EMPLOYER_MEMBER, session_id=session_id)


def test_team_member_who_is_not_chief_cannot_set_the_agenda():
    # given
    table = at_the_table()
    article_id = table.article("12")
    # when / then: chiefs and the facilitator set the agenda, no other team member
    with refused(table.negotiation, errors.ChiefNegotiatorOnly):
        table.negotiation.set_agenda(
            UNION_MEMBER, session_id=table.session_id, article_ids=[article_id]
        )


@pytest.mark.parametrize("manager", [UNION_CHIEF, EMPLOYER_CHIEF, FACILITATOR])
def test_chiefs_and_the_facilitator_set_the_agenda(manager):
    # given
    table = at_the_table()
    article_id = table.article("12")
    # when
    table.negotiation.set_agenda(manager, session_id=table.session_id, article_ids=[article_id])
    # then
    assert table.negotiation.state.sessions[table.session_id].agenda == [article_id]


def test_second_session_cannot_open_while_one_is_running():
    # given
    table = at_the_table()
    second = schedule_session(table.negotiation)
    # when / then
    with refused(table.negotiation, errors.SessionConflict):
        table.negotiation.open_session(UNION_CHIEF, session_id=second)


def test_second_session_cannot_open_while_one_is_in_recess():
    # given
    table = at_the_table()
    table.negotiation.recess_session(UNION_CHIEF, session_id=table.session_id)
    second = schedule_session(table.negotiation)
    # when / then
    with refused(table.negotiation, errors.SessionConflict):
        table.negotiation.open_session(UNION_CHIEF, session_id=second)


def test_next_session_opens_after_the_previous_one_closed():
    # given
    table = at_the_table()
    second = schedule_session(table.negotiation)
    table.negotiation.close_session(FACILITATOR, session_id=table.session_id)
    # when
    table.negotiation.open_session(FACILITATOR, session_id=second)
    # then
    assert table.negotiation.running_session.session_id == second


def test_closed_session_cannot_be_opened_again():
    # given
    table = at_the_table()
    table.negotiation.close_session(UNION_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.SessionConflict):
        table.negotiation.open_session(UNION_CHIEF, session_id=table.session_id)


def test_recessed_session_resumes():
    # given
    table = at_the_table()
    table.negotiation.recess_session(EMPLOYER_CHIEF, session_id=table.session_id)
    # when
    table.negotiation.resume_session(FACILITATOR, session_id=table.session_id)
    # then
    assert table.negotiation.state.sessions[table.session_id].status == "open"


def test_resuming_a_session_that_is_not_in_recess_is_refused():
    # given
    table = at_the_table()
    # when / then
    with refused(table.negotiation, errors.SessionConflict):
        table.negotiation.resume_session(UNION_CHIEF, session_id=table.session_id)


def test_closing_a_session_that_is_not_running_is_refused():
    # given
    negotiation = new_negotiation()
    session_id = schedule_session(negotiation)
    # when / then
    with refused(negotiation, errors.SessionConflict):
        negotiation.close_session(UNION_CHIEF, session_id=session_id)


# ---------------------------------------------------------------- caucuses


def test_team_member_calls_a_caucus_for_their_party():
    # given
    table = at_the_table()
    # when
    table.negotiation.call_caucus(EMPLOYER_MEMBER, session_id=table.session_id)
    # then
    caucus = table.negotiation.state.sessions[table.session_id].caucus
    assert caucus.party == "employer"
    assert event_names(table.negotiation)[-1] == "CaucusCalled"


def test_second_caucus_during_a_caucus_is_refused():
    # given
    table = at_the_table()
    table.negotiation.call_caucus(EMPLOYER_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.SessionConflict):
        table.negotiation.call_caucus(UNION_CHIEF, session_id=table.session_id)


def test_caucus_in_a_session_that_is_not_open_is_refused():
    # given
    table = at_the_table()
    table.negotiation.recess_session(UNION_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.SessionConflict):
        table.negotiation.call_caucus(UNION_CHIEF, session_id=table.session_id)


def test_caucus_called_by_an_outsider_is_refused():
    # given
    table = at_the_table()
    # when / then
    with refused(table.negotiation, errors.NotOnTeam):
        table.negotiation.call_caucus(OUTSIDER, session_id=table.session_id)


def test_party_that_called_the_caucus_ends_it():
    # given
    table = at_the_table()
    table.negotiation.call_caucus(EMPLOYER_CHIEF, session_id=table.session_id)
    # when
    table.negotiation.end_caucus(EMPLOYER_MEMBER, session_id=table.session_id)
    # then
    assert table.negotiation.state.sessions[table.session_id].caucus is None


def test_facilitator_ends_a_caucus():
    # given
    table = at_the_table()
    table.negotiation.call_caucus(EMPLOYER_CHIEF, session_id=table.session_id)
    # when
    table.negotiation.end_caucus(FACILITATOR, session_id=table.session_id)
    # then
    assert table.negotiation.state.sessions[table.session_id].caucus is None


def test_other_party_ending_a_caucus_is_refused():
    # given
    table = at_the_table()
    table.negotiation.call_caucus(EMPLOYER_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotPermitted):
        table.negotiation.end_caucus(UNION_CHIEF, session_id=table.session_id)


def test_ending_a_caucus_when_none_is_under_way_is_refused():
    # given
    table = at_the_table()
    # when / then
    with refused(table.negotiation, errors.SessionConflict):
        table.negotiation.end_caucus(UNION_CHIEF, session_id=table.session_id)


def test_closing_a_session_ends_its_caucus():
    # given
    table = at_the_table()
    table.negotiation.call_caucus(EMPLOYER_CHIEF, session_id=table.session_id)
    # when
    table.negotiation.close_session(UNION_CHIEF, session_id=table.session_id)
    # then
    session = table.negotiation.state.sessions[table.session_id]
    assert session.status == "closed"
    assert session.caucus is None
    assert table.negotiation.running_session is None


# ---------------------------------------------------------------- tabling needs the table


def test_tabling_during_a_caucus_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    table.negotiation.call_caucus(EMPLOYER_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        table.propose(article_id, "Cap at 24.")


def test_tabling_during_a_caucus_is_refused_even_when_written_exchange_is_allowed():
    # given
    table = at_the_table(written_exchange_allowed=True)
    article_id = table.article("12")
    table.negotiation.call_caucus(UNION_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        table.propose(article_id, "Cap at 24.")


def test_tabling_during_a_recess_is_refused():
    # given
    table = at_the_table(written_exchange_allowed=True)
    article_id = table.article("12")
    table.negotiation.recess_session(UNION_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        table.propose(article_id, "Cap at 24.")


def test_tabling_with_no_session_open_is_refused():
    # given
    table = at_the_table(written_exchange_allowed=False)
    article_id = table.article("12")
    table.negotiation.close_session(UNION_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        table.propose(article_id, "Cap at 24.")


def test_tabling_when_a_session_is_only_scheduled_is_refused():
    # given
    table = at_the_table(written_exchange_allowed=False)
    article_id = table.article("12")
    table.negotiation.close_session(UNION_CHIEF, session_id=table.session_id)
    schedule_session(table.negotiation)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        table.propose(article_id, "Cap at 24.")


def test_withdrawal_with_no_session_open_is_refused():
    # given
    table = at_the_table(written_exchange_allowed=False)
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    table.negotiation.close_session(UNION_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        table.negotiation.withdraw_proposal(UNION_CHIEF, proposal_id=v1, article_id=article_id)


def test_ta_with_no_session_open_is_refused():
    # given
    table = at_the_table(written_exchange_allowed=False)
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    table.negotiation.close_session(UNION_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        table.negotiation.sign_ta(EMPLOYER_CHIEF, article_id=article_id, proposal_id=v1)


def test_tabling_between_sessions_is_recorded_in_writing_when_ground_rules_allow():
    # given
    table = at_the_table(written_exchange_allowed=True)
    article_id = table.article("12")
    table.negotiation.close_session(UNION_CHIEF, session_id=table.session_id)
    # when
    proposal_id = table.propose(article_id, "Cap at 24.")
    # then
    event = table.last_event()
    assert type(event).__name__ == "ProposalTabled"
    assert event.by.in_writing is True
    assert event.session_id is None
    assert table.proposal_state(article_id, proposal_id).in_writing is True


def test_ta_between_sessions_is_recorded_in_writing_when_ground_rules_allow():
    # given
    table = at_the_table(session=False, written_exchange_allowed=True)
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    # when
    table.negotiation.sign_ta(EMPLOYER_CHIEF, article_id=article_id, proposal_id=v1)
    # then
    event = table.last_event()
    assert type(event).__name__ == "TASigned"
    assert event.by.in_writing is True


def test_tabling_at_an_open_session_is_not_marked_in_writing():
    # given
    table = at_the_table(written_exchange_allowed=True)
    article_id = table.article("12")
    # when
    table.propose(article_id, "Cap at 24.")
    # then
    assert table.last_event().by.in_writing is False
    assert table.last_event().session_id == table.session_id


# ---------------------------------------------------------------- the article on the table


def test_bringing_an_article_to_the_table_sets_the_focus():
    # given
    table = at_the_table()
    article_id = table.article("12")
    # when
    table.negotiation.bring_to_table(
        FACILITATOR, session_id=table.session_id, article_id=article_id
    )
    # then
    assert table.negotiation.state.sessions[table.session_id].article_on_table == article_id


def test_bringing_an_article_to_the_table_during_a_caucus_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    table.negotiation.call_caucus(UNION_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        table.negotiation.bring_to_table(
            UNION_CHIEF, session_id=table.session_id, article_id=article_id
        )


def test_private_team_note_is_allowed_during_a_caucus_and_belongs_to_its_party():
    # given
    table = at_the_table()
    table.negotiation.call_caucus(UNION_CHIEF, session_id=table.session_id)
    # when
    table.negotiation.record_team_note(UNION_MEMBER, text="Hold firm on 24.")
    # then
    note = table.negotiation.state.notes[-1]
    assert note.party == "union"
    assert note.text == "Hold firm on 24."


def test_bulletin_before_the_session_took_place_is_refused():
    # given
    negotiation = new_negotiation()
    session_id = schedule_session(negotiation)
    # when / then
    with refused(negotiation, errors.SessionConflict):
        negotiation.publish_bulletin(UNION_CHIEF, session_id=session_id, text="Nothing yet.")


def test_opening_an_open_session_after_ground_rules_forbade_open_sessions_is_refused():
    # given: scheduled as open, then the ground rules were amended to forbid open sessions
    negotiation = new_negotiation()
    agree_ground_rules(negotiation, open_sessions_allowed=True)
    session_id = schedule_session(negotiation, visibility="open")
    offer = negotiation.propose_ground_rules(
        EMPLOYER_CHIEF, rules=GroundRules(open_sessions_allowed=False)
    )
    negotiation.agree_ground_rules(UNION_CHIEF, offer_id=offer)
    # when / then: a session more public than the ground rules allow is refused
    with refused(negotiation, errors.VisibilityNotAllowed):
        negotiation.open_session(UNION_CHIEF, session_id=session_id)


# ---------------------------------------------------------------- every act across the table


def _across_the_table_acts():
    """Acts across the table (DOMAIN.md), each as a function of (table, ids)."""
    n = lambda table: table.negotiation  # noqa: E731
    return {
        "open_article": lambda t, ids: t.article("99"),
        "request_late_article": lambda t, ids: n(t).request_late_article(
            UNION_CHIEF, number="98", title="Parking", category="economic"
        ),
        "consent_to_late_article": lambda t, ids: n(t).consent_to_late_article(
            EMPLOYER_CHIEF, request_id=ids["request"]
        ),
        "table_proposal": lambda t, ids: t.propose(
            ids["article"], "Cap at 26.", answers=ids["employer_proposal"]
        ),
        "withdraw_proposal": lambda t, ids: n(t).withdraw_proposal(
            EMPLOYER_CHIEF, proposal_id=ids["employer_proposal"], article_id=ids["article"]
        ),
        "withdraw_article": lambda t, ids: n(t).withdraw_article(
            UNION_CHIEF, article_id=ids["article"]
        ),
        "sign_ta": lambda t, ids: n(t).sign_ta(
            UNION_CHIEF, article_id=ids["article"], proposal_id=ids["employer_proposal"]
        ),
        "table_package": lambda t, ids: n(t).table_package(
            UNION_CHIEF,
            items=[
                {"article_id": ids["article"], "text": "A.", "answers": ids["employer_proposal"]},
                {"article_id": ids["other"], "text": "B."},
            ],
        ),
        "accept_package": lambda t, ids: n(t).accept_package(
            EMPLOYER_CHIEF, package_id=ids["package"]
        ),
        "withdraw_package": lambda t, ids: n(t).withdraw_package(
            UNION_CHIEF, package_id=ids["package"]
        ),
        "consent_to_reopen": lambda t, ids: n(t).consent_to_reopen(
            UNION_CHIEF, article_id=ids["agreed"]
        ),
    }


ACROSS_THE_TABLE = _across_the_table_acts()


def _busy_table(**rules):
    table = at_the_table(**rules)
    agreed = table.article("10")
    table.agree(agreed, table.propose(agreed, "Agreed language."))
    article = table.article("12")
    union_v1 = table.propose(article, "Cap at 24.")
    employer_v2 = table.propose(article, "Cap at 28.", by=EMPLOYER_CHIEF, answers=union_v1)
    other = table.article("13")
    package, _ = table.negotiation.table_package(
        UNION_CHIEF,
        items=[
            {"article_id": table.article("14"), "text": "C."},
            {"article_id": table.article("15"), "text": "D."},
        ],
    )
    request = table.negotiation.request_late_article(
        UNION_CHIEF, number="30", title="Housing", category="common_good"
    )
    ids = {
        "agreed": agreed,
        "article": article,
        "employer_proposal": employer_v2,
        "other": other,
        "package": package,
        "request": request,
    }
    return table, ids


@pytest.mark.parametrize("act", sorted(ACROSS_THE_TABLE))
def test_act_across_the_table_at_an_open_session_is_recorded(act):
    # given
    table, ids = _busy_table()
    before = len(table.negotiation.pending_events)
    # when
    ACROSS_THE_TABLE[act](table, ids)
    # then
    assert len(table.negotiation.pending_events) > before


@pytest.mark.parametrize("act", sorted(ACROSS_THE_TABLE))
def test_act_across_the_table_during_a_caucus_is_refused(act):
    # given
    table, ids = _busy_table(written_exchange_allowed=True)
    table.negotiation.call_caucus(EMPLOYER_MEMBER, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        ACROSS_THE_TABLE[act](table, ids)


@pytest.mark.parametrize("act", sorted(ACROSS_THE_TABLE))
def test_act_across_the_table_during_a_recess_is_refused(act):
    # given
    table, ids = _busy_table(written_exchange_allowed=True)
    table.negotiation.recess_session(FACILITATOR, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        ACROSS_THE_TABLE[act](table, ids)


@pytest.mark.parametrize("act", sorted(ACROSS_THE_TABLE))
def test_act_across_the_table_with_no_session_open_is_refused(act):
    # given
    table, ids = _busy_table(written_exchange_allowed=False)
    table.negotiation.close_session(FACILITATOR, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        ACROSS_THE_TABLE[act](table, ids)


@pytest.mark.parametrize("act", sorted(ACROSS_THE_TABLE))
def test_act_across_the_table_between_sessions_is_recorded_in_writing(act):
    # given
    table, ids = _busy_table(written_exchange_allowed=True)
    table.negotiation.close_session(FACILITATOR, session_id=table.session_id)
    before = len(table.negotiation.pending_events)
    # when
    ACROSS_THE_TABLE[act](table, ids)
    # then: the act's own event (the first it records) says it was delivered in writing
    event = table.negotiation.pending_events[before]
    assert event.by.in_writing is True
