"""Teams: who adds and removes members, one team per person, chiefs, outsiders, and acts recorded
"as received" for a party that has no team on the platform."""

import pytest

from negotiation.domain import errors
from negotiation.domain.actors import Actor
from negotiation.domain.ground_rules import GroundRules
from tests.unit.builders import (
    ADMIN,
    EMPLOYER_CHIEF,
    EMPLOYER_MEMBER,
    FACILITATOR,
    OUTSIDER,
    UNION_CHIEF,
    UNION_MEMBER,
    at_the_table,
    event_names,
    new_negotiation,
    now,
    refused,
    schedule_session,
)

NEWCOMER = Actor(account_id="newcomer", name="Ana Ruiz")

# ---------------------------------------------------------------- adding and removing members


def test_chief_adds_a_member_to_their_own_team():
    # given
    negotiation = new_negotiation()
    # when
    negotiation.add_team_member(UNION_CHIEF, member=NEWCOMER, party="union")
    # then
    member = negotiation.state.team[NEWCOMER.account_id]
    assert member.party == "union"
    assert member.role == "member"
    assert event_names(negotiation)[-1] == "TeamMemberAdded"


def test_administrator_adds_a_member_to_either_team():
    # given
    negotiation = new_negotiation()
    # when
    negotiation.add_team_member(ADMIN, member=NEWCOMER, party="employer")
    # then
    assert negotiation.party_of(NEWCOMER.account_id) == "employer"


def test_team_member_who_is_not_chief_cannot_add_members():
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.ChiefNegotiatorOnly):
        negotiation.add_team_member(UNION_MEMBER, member=NEWCOMER, party="union")


def test_chief_cannot_add_members_to_the_other_partys_team():
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.NotPermitted):
        negotiation.add_team_member(EMPLOYER_CHIEF, member=NEWCOMER, party="union")


def test_outsider_cannot_add_team_members():
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.NotOnTeam):
        negotiation.add_team_member(OUTSIDER, member=NEWCOMER, party="union")


def test_person_already_on_one_team_cannot_join_the_other():
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.RuleRefused):
        negotiation.add_team_member(ADMIN, member=UNION_MEMBER, party="employer")


def test_person_already_on_a_team_cannot_be_added_to_it_again():
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.RuleRefused):
        negotiation.add_team_member(UNION_CHIEF, member=UNION_MEMBER, party="union")


def test_second_chief_for_a_party_is_refused():
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.RuleRefused):
        negotiation.add_team_member(ADMIN, member=NEWCOMER, party="union", role="chief")


def test_chief_removes_a_member_of_their_team():
    # given
    negotiation = new_negotiation()
    # when
    negotiation.remove_team_member(EMPLOYER_CHIEF, account_id=EMPLOYER_MEMBER.account_id)
    # then
    assert EMPLOYER_MEMBER.account_id not in negotiation.state.team


def test_chief_cannot_remove_a_member_of_the_other_team():
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.NotPermitted):
        negotiation.remove_team_member(UNION_CHIEF, account_id=EMPLOYER_MEMBER.account_id)


def test_team_member_who_is_not_chief_cannot_remove_members():
    # given
    negotiation = new_negotiation()
    negotiation.add_team_member(UNION_CHIEF, member=NEWCOMER, party="union")
    # when / then
    with refused(negotiation, errors.ChiefNegotiatorOnly):
        negotiation.remove_team_member(UNION_MEMBER, account_id=NEWCOMER.account_id)


def test_chief_cannot_be_removed_without_naming_a_new_chief():
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.RuleRefused):
        negotiation.remove_team_member(ADMIN, account_id=UNION_CHIEF.account_id)


def test_former_chief_can_be_removed_once_a_new_chief_is_named():
    # given
    negotiation = new_negotiation()
    negotiation.name_chief_negotiator(UNION_CHIEF, account_id=UNION_MEMBER.account_id)
    # when
    negotiation.remove_team_member(UNION_MEMBER, account_id=UNION_CHIEF.account_id)
    # then
    assert UNION_CHIEF.account_id not in negotiation.state.team
    assert negotiation.state.team[UNION_MEMBER.account_id].role == "chief"


def test_naming_a_new_chief_makes_the_old_chief_a_member():
    # given
    negotiation = new_negotiation()
    # when
    negotiation.name_chief_negotiator(ADMIN, account_id=EMPLOYER_MEMBER.account_id)
    # then
    assert negotiation.state.team[EMPLOYER_MEMBER.account_id].role == "chief"
    assert negotiation.state.team[EMPLOYER_CHIEF.account_id].role == "member"


def test_removed_member_can_no_longer_act():
    # given
    table = at_the_table()
    article_id = table.article("12")
    table.negotiation.remove_team_member(UNION_CHIEF, account_id=UNION_MEMBER.account_id)
    # when / then
    with refused(table.negotiation, errors.NotOnTeam):
        table.propose(article_id, "Cap at 24.", by=UNION_MEMBER)


def test_facilitator_cannot_be_appointed_from_a_team():
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.RuleRefused):
        negotiation.appoint_facilitator(ADMIN, facilitator=UNION_MEMBER)


def test_only_an_administrator_appoints_the_facilitator():
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.NotPermitted):
        negotiation.appoint_facilitator(UNION_CHIEF, facilitator=NEWCOMER)


# ---------------------------------------------------------------- no act by someone off the teams


def _acts_at_a_full_table():
    """Every act a team takes, as a function of (negotiation, ids, actor)."""
    return {
        "propose_ground_rules": lambda n, ids, a: n.propose_ground_rules(a, rules=GroundRules()),
        "open_article": lambda n, ids, a: n.open_article(
            a, number="99", title="Parking", category="economic"
        ),
        "request_late_article": lambda n, ids, a: n.request_late_article(
            a, number="99", title="Parking", category="economic"
        ),
        "draft_proposal": lambda n, ids, a: n.draft_proposal(
            a, article_id=ids["article"], text="A."
        ),
        "table_proposal": lambda n, ids, a: n.table_proposal(
            a, article_id=ids["article"], text="A.", answers=ids["proposal"]
        ),
        "withdraw_proposal": lambda n, ids, a: n.withdraw_proposal(
            a, proposal_id=ids["proposal"], article_id=ids["article"]
        ),
        "withdraw_article": lambda n, ids, a: n.withdraw_article(a, article_id=ids["article"]),
        "sign_ta": lambda n, ids, a: n.sign_ta(
            a, article_id=ids["article"], proposal_id=ids["proposal"]
        ),
        "consent_to_reopen": lambda n, ids, a: n.consent_to_reopen(a, article_id=ids["agreed"]),
        "table_package": lambda n, ids, a: n.table_package(
            a,
            items=[
                {"article_id": ids["article"], "text": "A.", "answers": ids["proposal"]},
                {"article_id": ids["other"], "text": "B."},
            ],
        ),
        "call_caucus": lambda n, ids, a: n.call_caucus(a, session_id=ids["session"]),
        "bring_to_table": lambda n, ids, a: n.bring_to_table(
            a, session_id=ids["session"], article_id=ids["article"]
        ),
        "record_team_note": lambda n, ids, a: n.record_team_note(a, text="Note."),
        "publish_bulletin": lambda n, ids, a: n.publish_bulletin(
            a, session_id=ids["session"], text="Bulletin."
        ),
        "count_attendance": lambda n, ids, a: n.count_attendance(
            a, session_id=ids["session"], count=300
        ),
        "schedule_session": lambda n, ids, a: n.schedule_session(
            a, title="S", visibility="closed", location="Hall", starts_at=ids["now"]
        ),
        "close_session": lambda n, ids, a: n.close_session(a, session_id=ids["session"]),
        "add_team_member": lambda n, ids, a: n.add_team_member(a, member=NEWCOMER, party="union"),
        "remove_team_member": lambda n, ids, a: n.remove_team_member(
            a, account_id=UNION_MEMBER.account_id
        ),
    }


ACTS = _acts_at_a_full_table()


def _full_table():
    table = at_the_table()
    agreed = table.article("10")
    table.agree(agreed, table.propose(agreed, "Agreed language."))
    article = table.article("12", by=EMPLOYER_CHIEF)
    proposal = table.propose(article, "Cap at 28.", by=EMPLOYER_CHIEF)
    other = table.article("13")
    ids = {
        "article": article,
        "proposal": proposal,
        "other": other,
        "agreed": agreed,
        "session": table.session_id,
        "now": now(),
    }
    return table, ids


@pytest.mark.parametrize("act", sorted(ACTS))
def test_act_by_someone_not_on_either_team_is_refused(act):
    # given
    table, ids = _full_table()
    # when / then
    with refused(table.negotiation, errors.NotOnTeam):
        ACTS[act](table.negotiation, ids, OUTSIDER)


@pytest.mark.parametrize(
    "act",
    sorted(set(ACTS) - {"schedule_session", "close_session", "bring_to_table", "count_attendance"}),
)
def test_act_by_the_facilitator_as_if_on_a_team_is_refused(act):
    # given: the facilitator runs sessions but acts for neither party
    table, ids = _full_table()
    # when / then
    with refused(table.negotiation, errors.NotPermitted):
        ACTS[act](table.negotiation, ids, FACILITATOR)


# ---------------------------------------------------------------- the chief's acts bind the party


CHIEFS_ACTS = {
    "agree_ground_rules": lambda n, ids, a: n.agree_ground_rules(a, offer_id=ids["offer"]),
    "sign_ta": lambda n, ids, a: n.sign_ta(
        a, article_id=ids["article"], proposal_id=ids["proposal"]
    ),
    "accept_package": lambda n, ids, a: n.accept_package(a, package_id=ids["package"]),
    "consent_to_reopen": lambda n, ids, a: n.consent_to_reopen(a, article_id=ids["agreed"]),
    "consent_to_late_article": lambda n, ids, a: n.consent_to_late_article(
        a, request_id=ids["request"]
    ),
}


def _table_awaiting_the_employer():
    """Every act of the chief's the union now awaits from the employer side."""
    table = at_the_table()
    n = table.negotiation
    agreed = table.article("10")
    table.agree(agreed, table.propose(agreed, "Agreed language."))
    n.consent_to_reopen(UNION_CHIEF, article_id=agreed)
    article = table.article("12")
    first, second = table.article("13"), table.article("14")
    package, _ = n.table_package(
        UNION_CHIEF,
        items=[{"article_id": first, "text": "A."}, {"article_id": second, "text": "B."}],
    )
    ids = {
        "offer": n.propose_ground_rules(UNION_CHIEF, rules=GroundRules(observers="Members.")),
        "article": article,
        "proposal": table.propose(article, "Cap at 28."),
        "package": package,
        "agreed": agreed,
        "request": n.request_late_article(
            UNION_CHIEF, number="30", title="Housing", category="common_good"
        ),
    }
    return table, ids


@pytest.mark.parametrize("act", sorted(CHIEFS_ACTS))
def test_the_party_chief_does_the_acts_that_bind_the_party(act):
    # given
    table, ids = _table_awaiting_the_employer()
    events_before = len(table.negotiation.pending_events)
    # when
    CHIEFS_ACTS[act](table.negotiation, ids, EMPLOYER_CHIEF)
    # then
    assert len(table.negotiation.pending_events) > events_before


@pytest.mark.parametrize(
    ("someone", "error"),
    [
        (EMPLOYER_MEMBER, errors.ChiefNegotiatorOnly),
        (FACILITATOR, errors.NotPermitted),
        (ADMIN, errors.NotPermitted),
    ],
    ids=["team_member", "facilitator", "administrator"],
)
@pytest.mark.parametrize("act", sorted(CHIEFS_ACTS))
def test_acts_that_bind_the_party_are_refused_to_anyone_but_its_chief(act, someone, error):
    # given
    table, ids = _table_awaiting_the_employer()
    # when / then: another team member is refused, and no one can do them for the party
    with refused(table.negotiation, error):
        CHIEFS_ACTS[act](table.negotiation, ids, someone)


def test_private_note_by_an_outsider_is_refused_even_with_no_session_open():
    # given
    table = at_the_table(session=False)
    # when / then
    with refused(table.negotiation, errors.NotOnTeam):
        table.negotiation.record_team_note(OUTSIDER, text="Spy note.")


# ---------------------------------------------------------------- acting for the other party


def test_employer_person_cannot_record_acts_for_the_union_as_received():
    # given: the union team is on the platform and records its own acts
    table = at_the_table()
    article_id = table.article("12", by=EMPLOYER_CHIEF)
    # when / then
    with refused(table.negotiation, errors.NotPermitted):
        table.propose(article_id, "Cap at 24.", by=EMPLOYER_MEMBER, as_received=True)


def test_employer_person_cannot_sign_a_ta_for_the_union():
    # given
    table = at_the_table()
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    table.negotiation.sign_ta(EMPLOYER_CHIEF, article_id=article_id, proposal_id=v1)
    # when / then: the employer chief tries to add the union's signature too
    with refused(table.negotiation, errors.NotPermitted):
        table.negotiation.sign_ta(
            EMPLOYER_CHIEF, article_id=article_id, proposal_id=v1, as_received=True
        )


def test_employer_person_acts_for_the_employer_only():
    # given
    table = at_the_table()
    # when
    article_id = table.article("12", by=EMPLOYER_MEMBER)
    # then
    assert table.article_state(article_id).opened_by == "employer"
    assert table.last_event().by.party == "employer"


def test_acts_as_received_are_recorded_when_the_other_party_has_no_team():
    # given: the employer does not use the platform
    table = at_the_table(employer_on_platform=False)
    article_id = table.article("12")
    union_v1 = table.propose(article_id, "Cap at 24.")
    # when: the union records the employer's counter as received across the table
    counter = table.propose(
        article_id, "Cap at 28.", by=UNION_MEMBER, answers=union_v1, as_received=True
    )
    # then
    event = table.last_event()
    assert event.by.as_received is True
    assert event.by.party == "employer"
    assert event.by.account_id == UNION_MEMBER.account_id
    proposal = table.proposal_state(article_id, counter)
    assert proposal.party == "employer"
    assert proposal.as_received is True


def test_ta_as_received_completes_the_tentative_agreement():
    # given
    table = at_the_table(employer_on_platform=False)
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    table.negotiation.sign_ta(UNION_CHIEF, article_id=article_id, proposal_id=v1)
    # when
    agreed = table.negotiation.sign_ta(
        UNION_CHIEF, article_id=article_id, proposal_id=v1, as_received=True
    )
    # then
    assert agreed is True
    assert table.article_state(article_id).status == "agreed"


def test_ground_rules_agreed_as_received_record_it():
    # given: the at_the_table builder agrees the employer's side as received
    table = at_the_table(session=False, employer_on_platform=False)
    # when
    events = table.negotiation.pending_events
    # then
    agreed = next(e for e in events if type(e).__name__ == "GroundRulesAgreed")
    assert agreed.by.as_received is True
    assert agreed.by.party == "employer"


def test_acts_as_received_are_refused_once_the_other_party_has_a_team():
    # given: the employer joins the platform after acts were recorded as received
    table = at_the_table(employer_on_platform=False)
    article_id = table.article("12")
    union_v1 = table.propose(article_id, "Cap at 24.")
    table.negotiation.add_team_member(ADMIN, member=EMPLOYER_CHIEF, party="employer", role="chief")
    # when / then
    with refused(table.negotiation, errors.NotPermitted):
        table.propose(article_id, "Cap at 28.", answers=union_v1, as_received=True)


def test_team_member_of_a_party_without_the_other_on_platform_still_acts_for_own_party():
    # given
    negotiation = new_negotiation(employer_on_platform=False)
    # when
    session_id = schedule_session(negotiation)
    # then
    assert negotiation.pending_events[-1].by.party == "union"
    assert session_id in negotiation.state.sessions


def test_facilitator_cannot_join_a_partys_team():
    # given: a facilitator sits on neither team (the reverse is refused by appoint_facilitator)
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.RuleRefused):
        negotiation.add_team_member(ADMIN, member=FACILITATOR, party="union")
