"""Ground rules come first; articles, the proposal cut-off, late articles, withdrawing a subject."""

from datetime import datetime, timedelta

import pytest

from negotiation.domain import errors
from negotiation.domain import negotiation as negotiation_module
from negotiation.domain.ground_rules import GroundRules
from negotiation.domain.negotiation import Negotiation
from tests.unit.builders import (
    ADMIN,
    EMPLOYER_CHIEF,
    EMPLOYER_MEMBER,
    FACILITATOR,
    UNION_CHIEF,
    UNION_MEMBER,
    agree_ground_rules,
    an_hour_ago,
    at_the_table,
    event_names,
    in_a_week,
    new_negotiation,
    open_session,
    refused,
)

# ---------------------------------------------------------------- opening a negotiation


def test_opening_a_negotiation_seats_both_chiefs_and_the_facilitator():
    # when
    negotiation = new_negotiation(with_members=False)
    # then
    team = negotiation.state.team
    assert team[UNION_CHIEF.account_id].party == "union"
    assert team[UNION_CHIEF.account_id].role == "chief"
    assert team[EMPLOYER_CHIEF.account_id].party == "employer"
    assert team[EMPLOYER_CHIEF.account_id].role == "chief"
    assert negotiation.is_facilitator("facilitator")
    assert negotiation.state.ground_rules is None
    assert event_names(negotiation) == ["Opened"]


def test_negotiation_of_an_unknown_kind_is_refused():
    # when / then
    with pytest.raises(errors.InvalidRequest):
        Negotiation.open(
            actor=UNION_CHIEF,
            title="T",
            kind="arm_wrestling",
            bargaining_unit="Unit",
            union_name="U",
            employer_name="E",
            opener_party="union",
        )


def test_one_person_cannot_be_chief_of_both_parties():
    # when / then
    with pytest.raises(errors.InvalidRequest):
        Negotiation.open(
            actor=UNION_CHIEF,
            title="T",
            kind="meet_and_confer",
            bargaining_unit="Unit",
            union_name="U",
            employer_name="E",
            opener_party="union",
            other_chief=UNION_CHIEF,
        )


# ---------------------------------------------------------------- ground rules


def test_ground_rules_bind_when_the_other_party_agrees():
    # given
    negotiation = new_negotiation()
    offer_id = negotiation.propose_ground_rules(
        UNION_CHIEF, rules=GroundRules(written_exchange_allowed=True)
    )
    # when
    negotiation.agree_ground_rules(EMPLOYER_CHIEF, offer_id=offer_id)
    # then
    assert negotiation.state.ground_rules == GroundRules(written_exchange_allowed=True)
    assert negotiation.state.ground_rules_offer is None
    assert event_names(negotiation)[-1] == "GroundRulesAgreed"


def test_party_cannot_agree_its_own_ground_rules_offer():
    # given
    negotiation = new_negotiation()
    offer_id = negotiation.propose_ground_rules(UNION_CHIEF, rules=GroundRules())
    # when / then
    with refused(negotiation, errors.RuleRefused):
        negotiation.agree_ground_rules(UNION_CHIEF, offer_id=offer_id)


def test_agreeing_ground_rules_no_longer_on_offer_is_refused():
    # given
    negotiation = new_negotiation()
    first = negotiation.propose_ground_rules(UNION_CHIEF, rules=GroundRules())
    negotiation.propose_ground_rules(UNION_CHIEF, rules=GroundRules(open_sessions_allowed=False))
    # when / then
    with refused(negotiation, errors.StaleWrite):
        negotiation.agree_ground_rules(EMPLOYER_CHIEF, offer_id=first)


def test_ground_rules_agreed_again_are_recorded_as_amended():
    # given
    table = at_the_table(session=False)
    negotiation = table.negotiation
    offer_id = negotiation.propose_ground_rules(
        EMPLOYER_CHIEF, rules=GroundRules(proposal_cutoff=in_a_week())
    )
    # when
    negotiation.agree_ground_rules(UNION_CHIEF, offer_id=offer_id)
    # then
    assert event_names(negotiation)[-1] == "GroundRulesAmended"
    assert negotiation.state.ground_rules.proposal_cutoff is not None


def test_team_member_who_is_not_chief_cannot_propose_ground_rules():
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.ChiefNegotiatorOnly):
        negotiation.propose_ground_rules(UNION_MEMBER, rules=GroundRules())


def test_ground_rules_with_a_cutoff_without_time_zone_are_refused():
    # given: a cut-off instant is ambiguous without a time zone (sessions refuse it too)
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.InvalidRequest):
        negotiation.propose_ground_rules(
            UNION_CHIEF, rules=GroundRules(proposal_cutoff=datetime(2030, 1, 1, 12, 0))
        )


# ---------------------------------------------------------------- articles


def test_article_before_ground_rules_are_agreed_is_refused():
    # given
    negotiation = new_negotiation()
    negotiation.propose_ground_rules(UNION_CHIEF, rules=GroundRules())  # offered, not agreed
    # when / then
    with refused(negotiation, errors.GroundRulesNotAgreed):
        negotiation.open_article(UNION_CHIEF, number="12", title="Class Size", category="economic")


def test_late_article_request_before_ground_rules_are_agreed_is_refused():
    # given
    negotiation = new_negotiation()
    # when / then
    with refused(negotiation, errors.GroundRulesNotAgreed):
        negotiation.request_late_article(
            UNION_CHIEF, number="12", title="Class Size", category="economic"
        )


def test_article_opened_at_the_table_is_open_and_owned_by_the_opening_party():
    # given
    table = at_the_table()
    # when
    article_id = table.negotiation.open_article(
        EMPLOYER_MEMBER,
        number="7",
        title="Hours of Work",
        category="non_economic",
        current_language="The work day is seven hours.",
    )
    # then
    article = table.article_state(article_id)
    assert article.status == "open"
    assert article.opened_by == "employer"
    assert article.current_language == "The work day is seven hours."
    assert article.late is False
    assert table.last_event().session_id == table.session_id


def test_article_with_a_number_already_open_is_refused():
    # given
    table = at_the_table()
    table.article("12")
    # when / then
    with refused(table.negotiation, errors.RuleRefused):
        table.article("12", by=EMPLOYER_CHIEF)


def test_article_without_a_title_is_refused():
    # given
    table = at_the_table()
    # when / then
    with refused(table.negotiation, errors.InvalidRequest):
        table.negotiation.open_article(UNION_CHIEF, number="3", title="  ", category="economic")


def test_article_after_the_cutoff_is_refused():
    # given
    table = at_the_table(proposal_cutoff=an_hour_ago())
    # when / then
    with refused(table.negotiation, errors.ProposalCutoffPassed):
        table.article("12")


def test_article_at_the_cutoff_instant_is_refused(monkeypatch):
    # given: the clock reads exactly the cut-off
    cutoff = in_a_week()
    table = at_the_table(proposal_cutoff=cutoff)
    monkeypatch.setattr(negotiation_module, "_now", lambda: cutoff)
    # when / then: "from the cut-off instant on", opening an article is refused
    with refused(table.negotiation, errors.ProposalCutoffPassed):
        table.article("12")


def test_article_before_the_cutoff_is_opened():
    # given
    table = at_the_table(proposal_cutoff=in_a_week())
    # when
    article_id = table.article("12")
    # then
    assert table.article_state(article_id).status == "open"


def test_article_with_no_cutoff_in_the_ground_rules_is_opened_at_any_time():
    # given
    table = at_the_table(proposal_cutoff=None)
    # when
    article_id = table.article("99")
    # then
    assert article_id in table.negotiation.state.articles


def test_proposal_on_an_article_opened_before_the_cutoff_remains_allowed_after_it():
    # given: an article opened before the cut-off, then the cut-off moved into the past
    table = at_the_table(proposal_cutoff=in_a_week())
    article_id = table.article("12")
    offer = table.negotiation.propose_ground_rules(
        UNION_CHIEF, rules=GroundRules(proposal_cutoff=an_hour_ago())
    )
    table.negotiation.agree_ground_rules(EMPLOYER_CHIEF, offer_id=offer)
    # when
    proposal_id = table.propose(article_id, "Class size is capped at 24.")
    # then
    assert table.proposal_state(article_id, proposal_id).status == "live"


def test_late_article_request_alone_does_not_open_the_article():
    # given
    table = at_the_table(proposal_cutoff=an_hour_ago())
    # when
    request_id = table.negotiation.request_late_article(
        UNION_CHIEF, number="30", title="Housing", category="common_good"
    )
    # then
    assert table.negotiation.state.articles == {}
    assert table.negotiation.state.late_requests[request_id].status == "pending"


def test_late_article_opens_when_the_other_party_consents_after_the_cutoff():
    # given
    table = at_the_table(proposal_cutoff=an_hour_ago())
    request_id = table.negotiation.request_late_article(
        UNION_CHIEF, number="30", title="Housing", category="common_good"
    )
    # when
    article_id = table.negotiation.consent_to_late_article(EMPLOYER_CHIEF, request_id=request_id)
    # then
    article = table.article_state(article_id)
    assert article.status == "open"
    assert article.late is True
    assert article.opened_by == "union"
    assert table.negotiation.state.late_requests[request_id].status == "consented"


def test_late_article_consent_by_the_requesting_party_is_refused():
    # given
    table = at_the_table(proposal_cutoff=an_hour_ago())
    request_id = table.negotiation.request_late_article(
        UNION_CHIEF, number="30", title="Housing", category="common_good"
    )
    # when / then
    with refused(table.negotiation, errors.RuleRefused):
        table.negotiation.consent_to_late_article(UNION_CHIEF, request_id=request_id)


def test_late_article_consent_by_a_team_member_who_is_not_chief_is_refused():
    # given
    table = at_the_table(proposal_cutoff=an_hour_ago())
    request_id = table.negotiation.request_late_article(
        UNION_CHIEF, number="30", title="Housing", category="common_good"
    )
    # when / then: consenting to a new subject binds the party, like signing a TA
    with refused(table.negotiation, errors.ChiefNegotiatorOnly):
        table.negotiation.consent_to_late_article(EMPLOYER_MEMBER, request_id=request_id)


@pytest.mark.parametrize("who", [FACILITATOR, ADMIN], ids=["facilitator", "admin"])
def test_late_article_consent_cannot_be_given_for_a_party_by_facilitator_or_admin(who):
    # given
    table = at_the_table(proposal_cutoff=an_hour_ago())
    request_id = table.negotiation.request_late_article(
        UNION_CHIEF, number="30", title="Housing", category="common_good"
    )
    # when / then
    with refused(table.negotiation, errors.NotOnTeam):
        table.negotiation.consent_to_late_article(who, request_id=request_id)


def test_late_article_consent_given_twice_is_refused():
    # given
    table = at_the_table(proposal_cutoff=an_hour_ago())
    request_id = table.negotiation.request_late_article(
        UNION_CHIEF, number="30", title="Housing", category="common_good"
    )
    table.negotiation.consent_to_late_article(EMPLOYER_CHIEF, request_id=request_id)
    # when / then
    with refused(table.negotiation, errors.NotFound):
        table.negotiation.consent_to_late_article(EMPLOYER_CHIEF, request_id=request_id)


# ---------------------------------------------------------------- withdrawing the subject


def test_opening_party_withdraws_the_whole_subject():
    # given
    table = at_the_table()
    article_id = table.article("12")
    proposal_id = table.propose(article_id, "Class size is capped at 24.")
    # when
    table.negotiation.withdraw_article(UNION_MEMBER, article_id=article_id)
    # then
    article = table.article_state(article_id)
    assert article.status == "withdrawn"
    assert article.proposal(proposal_id).status == "withdrawn"


def test_withdrawing_a_subject_the_other_party_opened_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12", by=UNION_CHIEF)
    # when / then
    with refused(table.negotiation, errors.NotPermitted):
        table.negotiation.withdraw_article(EMPLOYER_CHIEF, article_id=article_id)


def test_withdrawn_article_number_cannot_be_opened_again_as_a_new_article():
    # given: a withdrawn subject comes back only by both parties reopening it
    table = at_the_table()
    article_id = table.article("12")
    table.negotiation.withdraw_article(UNION_CHIEF, article_id=article_id)
    # when / then
    with refused(table.negotiation, errors.RuleRefused):
        table.article("12")


def test_article_opened_between_sessions_in_writing_when_ground_rules_allow():
    # given
    table = at_the_table(session=False, written_exchange_allowed=True)
    # when
    article_id = table.article("12")
    # then
    assert table.article_state(article_id).status == "open"
    assert table.last_event().by.in_writing is True
    assert table.last_event().session_id is None


def test_article_opened_outside_a_session_without_written_exchange_is_refused():
    # given
    table = at_the_table(session=False, written_exchange_allowed=False)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        table.article("12")


def test_ground_rules_may_be_amended_while_a_session_runs():
    # given
    negotiation = new_negotiation()
    agree_ground_rules(negotiation, proposal_cutoff=in_a_week() + timedelta(days=1))
    open_session(negotiation)
    offer = negotiation.propose_ground_rules(UNION_CHIEF, rules=GroundRules())
    # when
    negotiation.agree_ground_rules(EMPLOYER_CHIEF, offer_id=offer)
    # then
    assert negotiation.state.ground_rules.proposal_cutoff is None
