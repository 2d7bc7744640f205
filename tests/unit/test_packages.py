"""Packages: several articles offered together, answered as a whole, withdrawn as a whole."""

from negotiation.domain import errors
from tests.unit.builders import (
    EMPLOYER_CHIEF,
    EMPLOYER_MEMBER,
    UNION_CHIEF,
    UNION_MEMBER,
    at_the_table,
    event_names,
    refused,
)


def _two_articles(table):
    return table.article("12"), table.article("13")


def _union_package(table, article_12, article_13):
    return table.negotiation.table_package(
        UNION_CHIEF,
        items=[
            {"article_id": article_12, "text": "Cap at 24."},
            {"article_id": article_13, "text": "Prep time of 60 minutes."},
        ],
    )


def test_package_tables_a_live_proposal_on_each_article():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    # when
    package_id, (p12, p13) = _union_package(table, article_12, article_13)
    # then
    package = table.negotiation.state.packages[package_id]
    assert package.status == "live"
    assert package.party == "union"
    assert table.proposal_state(article_12, p12).package_id == package_id
    assert table.proposal_state(article_13, p13).status == "live"
    assert event_names(table.negotiation)[-1] == "PackageTabled"


def test_package_of_a_single_article_is_refused():
    # given
    table = at_the_table()
    article_12 = table.article("12")
    # when / then
    with refused(table.negotiation, errors.InvalidRequest):
        table.negotiation.table_package(
            UNION_CHIEF, items=[{"article_id": article_12, "text": "Cap at 24."}]
        )


def test_package_naming_the_same_article_twice_is_refused():
    # given
    table = at_the_table()
    article_12 = table.article("12")
    # when / then
    with refused(table.negotiation, errors.InvalidRequest):
        table.negotiation.table_package(
            UNION_CHIEF,
            items=[
                {"article_id": article_12, "text": "Cap at 24."},
                {"article_id": article_12, "text": "Cap at 25."},
            ],
        )


def test_package_including_a_tad_article_is_refused():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    v1 = table.propose(article_13, "Prep time of 60 minutes.")
    table.agree(article_13, v1)
    # when / then
    with refused(table.negotiation, errors.ArticleClosed):
        _union_package(table, article_12, article_13)


def test_package_item_that_ignores_the_other_sides_live_proposal_is_refused():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    table.propose(article_13, "Prep time of 45 minutes.", by=EMPLOYER_CHIEF)
    # when / then
    with refused(table.negotiation, errors.MustAnswerLatestProposal):
        _union_package(table, article_12, article_13)


def test_package_during_a_caucus_is_refused():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    table.negotiation.call_caucus(UNION_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        _union_package(table, article_12, article_13)


def test_accepting_a_package_tentatively_agrees_every_article_in_it():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    package_id, (p12, p13) = _union_package(table, article_12, article_13)
    # when
    table.negotiation.accept_package(EMPLOYER_CHIEF, package_id=package_id)
    # then
    assert table.negotiation.state.packages[package_id].status == "accepted"
    assert table.article_state(article_12).status == "agreed"
    assert table.article_state(article_12).agreed_proposal_id == p12
    assert table.article_state(article_13).agreed_proposal_id == p13
    assert table.negotiation.state.whole_ta is not None


def test_accepting_ones_own_package_is_refused():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    package_id, _ = _union_package(table, article_12, article_13)
    # when / then
    with refused(table.negotiation, errors.RuleRefused):
        table.negotiation.accept_package(UNION_CHIEF, package_id=package_id)


def test_accepting_a_package_by_a_member_who_is_not_chief_is_refused():
    # given: accepting signs TAs, which the chief negotiator does
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    package_id, _ = _union_package(table, article_12, article_13)
    # when / then
    with refused(table.negotiation, errors.ChiefNegotiatorOnly):
        table.negotiation.accept_package(EMPLOYER_MEMBER, package_id=package_id)


def test_accepting_a_package_during_a_caucus_is_refused():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    package_id, _ = _union_package(table, article_12, article_13)
    table.negotiation.call_caucus(EMPLOYER_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        table.negotiation.accept_package(EMPLOYER_CHIEF, package_id=package_id)


def test_countering_an_item_rejects_the_package_and_its_items_stand_alone():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    package_id, (p12, p13) = _union_package(table, article_12, article_13)
    # when
    counter = table.propose(article_12, "Cap at 28.", by=EMPLOYER_CHIEF, answers=p12)
    # then
    assert table.negotiation.state.packages[package_id].status == "rejected"
    assert table.proposal_state(article_12, counter).status == "live"
    assert table.proposal_state(article_12, p12).status == "live"
    assert table.proposal_state(article_13, p13).status == "live"


def test_item_of_a_rejected_package_can_be_tad_on_its_own():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    _, (p12, p13) = _union_package(table, article_12, article_13)
    table.propose(article_12, "Cap at 28.", by=EMPLOYER_CHIEF, answers=p12)
    # when
    table.agree(article_13, p13)
    # then
    assert table.article_state(article_13).status == "agreed"
    assert table.article_state(article_12).status == "open"


def test_accepting_a_rejected_package_is_refused():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    package_id, (p12, _) = _union_package(table, article_12, article_13)
    table.propose(article_12, "Cap at 28.", by=EMPLOYER_CHIEF, answers=p12)
    # when / then
    with refused(table.negotiation, errors.RuleRefused):
        table.negotiation.accept_package(EMPLOYER_CHIEF, package_id=package_id)


def test_ta_on_an_item_of_a_live_package_is_refused():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    _, (p12, _) = _union_package(table, article_12, article_13)
    # when / then
    with refused(table.negotiation, errors.PackageIsLive):
        table.negotiation.sign_ta(EMPLOYER_CHIEF, article_id=article_12, proposal_id=p12)


def test_proposer_withdraws_the_whole_package():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    package_id, (p12, p13) = _union_package(table, article_12, article_13)
    # when
    table.negotiation.withdraw_package(UNION_MEMBER, package_id=package_id)
    # then
    assert table.negotiation.state.packages[package_id].status == "withdrawn"
    assert table.proposal_state(article_12, p12).status == "withdrawn"
    assert table.proposal_state(article_13, p13).status == "withdrawn"
    assert table.article_state(article_12).status == "open"


def test_withdrawing_the_other_partys_package_is_refused():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    package_id, _ = _union_package(table, article_12, article_13)
    # when / then
    with refused(table.negotiation, errors.NotPermitted):
        table.negotiation.withdraw_package(EMPLOYER_CHIEF, package_id=package_id)


def test_withdrawing_one_item_of_a_live_package_is_refused():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    _, (p12, _) = _union_package(table, article_12, article_13)
    # when / then
    with refused(table.negotiation, errors.PackageIsLive):
        table.negotiation.withdraw_proposal(UNION_CHIEF, proposal_id=p12, article_id=article_12)


def test_revising_one_item_of_a_live_package_is_refused():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    _, (p12, _) = _union_package(table, article_12, article_13)
    # when / then
    with refused(table.negotiation, errors.PackageIsLive):
        table.propose(article_12, "Cap at 25.", revises=p12)


def test_withdrawing_the_subject_of_an_article_in_a_live_package_is_refused():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    _union_package(table, article_12, article_13)
    # when / then
    with refused(table.negotiation, errors.PackageIsLive):
        table.negotiation.withdraw_article(UNION_CHIEF, article_id=article_12)


def test_withdrawing_a_package_during_a_caucus_is_refused():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    package_id, _ = _union_package(table, article_12, article_13)
    table.negotiation.call_caucus(UNION_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        table.negotiation.withdraw_package(UNION_CHIEF, package_id=package_id)


def test_package_answering_an_item_of_another_live_package_is_refused():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    _, (p12, p13) = _union_package(table, article_12, article_13)
    # when / then
    with refused(table.negotiation, errors.RuleRefused):
        table.negotiation.table_package(
            EMPLOYER_CHIEF,
            items=[
                {"article_id": article_12, "text": "Cap at 28.", "answers": p12},
                {"article_id": article_13, "text": "Prep of 30.", "answers": p13},
            ],
        )


def test_package_may_counter_the_other_sides_live_proposals():
    # given
    table = at_the_table()
    article_12, article_13 = _two_articles(table)
    employer_12 = table.propose(article_12, "Cap at 30.", by=EMPLOYER_CHIEF)
    # when
    package_id, (p12, _) = table.negotiation.table_package(
        UNION_CHIEF,
        items=[
            {"article_id": article_12, "text": "Cap at 24.", "answers": employer_12},
            {"article_id": article_13, "text": "Prep time of 60 minutes."},
        ],
    )
    # then
    assert table.proposal_state(article_12, p12).answers == employer_12
    assert table.article_state(article_12).latest_on_table().proposal_id == p12
    assert table.negotiation.state.packages[package_id].status == "live"
