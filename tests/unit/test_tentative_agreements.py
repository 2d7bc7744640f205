"""Tentative agreements on articles, reopening by mutual consent, the whole tentative agreement."""

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

# ---------------------------------------------------------------- TA on an article


def test_ta_signed_by_one_party_leaves_the_article_open():
    # given
    table = at_the_table()
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    # when
    agreed = table.negotiation.sign_ta(UNION_CHIEF, article_id=article_id, proposal_id=v1)
    # then
    assert agreed is False
    article = table.article_state(article_id)
    assert article.status == "open"
    assert article.ta_signatures == {"union": v1}
    assert event_names(table.negotiation)[-1] == "TASigned"


def test_ta_signed_by_both_parties_on_the_same_version_agrees_the_article():
    # given
    table = at_the_table()
    article_id = table.article("12")
    union_v1 = table.propose(article_id, "Cap at 24.")
    employer_v2 = table.propose(article_id, "Cap at 26.", by=EMPLOYER_CHIEF, answers=union_v1)
    table.negotiation.sign_ta(EMPLOYER_CHIEF, article_id=article_id, proposal_id=employer_v2)
    # when
    agreed = table.negotiation.sign_ta(UNION_CHIEF, article_id=article_id, proposal_id=employer_v2)
    # then
    assert agreed is True
    article = table.article_state(article_id)
    assert article.status == "agreed"
    assert article.agreed_proposal_id == employer_v2
    assert article.agreed_text() == "Cap at 26."
    assert article.proposal(employer_v2).status == "agreed"
    assert article.proposal(union_v1).status == "superseded"
    assert "ArticleTentativelyAgreed" in event_names(table.negotiation)


def test_ta_on_a_version_that_is_not_the_latest_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    union_v1 = table.propose(article_id, "Cap at 24.")
    table.propose(article_id, "Cap at 26.", by=EMPLOYER_CHIEF, answers=union_v1)
    # when / then: the employer's counter is now the latest version on the table
    with refused(table.negotiation, errors.NotLatestVersion):
        table.negotiation.sign_ta(EMPLOYER_CHIEF, article_id=article_id, proposal_id=union_v1)


def test_ta_on_a_superseded_revision_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    table.propose(article_id, "Cap at 25.", revises=v1)
    # when / then
    with refused(table.negotiation, errors.NotLatestVersion):
        table.negotiation.sign_ta(EMPLOYER_CHIEF, article_id=article_id, proposal_id=v1)


def test_ta_on_an_article_with_nothing_on_the_table_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    # when / then
    with refused(table.negotiation, errors.NotLatestVersion):
        table.negotiation.sign_ta(EMPLOYER_CHIEF, article_id=article_id, proposal_id="nothing")


def test_ta_signed_twice_by_the_same_party_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    table.negotiation.sign_ta(UNION_CHIEF, article_id=article_id, proposal_id=v1)
    # when / then
    with refused(table.negotiation, errors.TAAlreadySigned):
        table.negotiation.sign_ta(UNION_CHIEF, article_id=article_id, proposal_id=v1)


def test_signatures_on_an_older_version_do_not_carry_over_to_a_counter():
    # given: the union signed its v1, then the employer countered
    table = at_the_table()
    article_id = table.article("12")
    union_v1 = table.propose(article_id, "Cap at 24.")
    table.negotiation.sign_ta(UNION_CHIEF, article_id=article_id, proposal_id=union_v1)
    employer_v2 = table.propose(article_id, "Cap at 26.", by=EMPLOYER_CHIEF, answers=union_v1)
    # when: the employer signs its own counter
    agreed = table.negotiation.sign_ta(
        EMPLOYER_CHIEF, article_id=article_id, proposal_id=employer_v2
    )
    # then: the union's signature was on another version, so nothing is agreed yet
    assert agreed is False
    assert table.article_state(article_id).status == "open"


def test_ta_signed_by_a_team_member_who_is_not_chief_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    # when / then
    with refused(table.negotiation, errors.ChiefNegotiatorOnly):
        table.negotiation.sign_ta(EMPLOYER_MEMBER, article_id=article_id, proposal_id=v1)


def test_ta_during_a_caucus_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    table.negotiation.call_caucus(EMPLOYER_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        table.negotiation.sign_ta(UNION_CHIEF, article_id=article_id, proposal_id=v1)


# ---------------------------------------------------------------- reopening


def _agreed(table, number="12"):
    article_id = table.article(number)
    v1 = table.propose(article_id, f"Article {number} language.")
    table.agree(article_id, v1)
    return article_id, v1


def test_consent_to_reopen_by_one_party_keeps_the_article_closed():
    # given
    table = at_the_table()
    article_id, _ = _agreed(table)
    # when
    reopened = table.negotiation.consent_to_reopen(UNION_CHIEF, article_id=article_id)
    # then
    assert reopened is False
    assert table.article_state(article_id).status == "agreed"


def test_tad_article_reopens_when_both_parties_consent():
    # given
    table = at_the_table()
    article_id, _ = _agreed(table)
    table.negotiation.consent_to_reopen(UNION_CHIEF, article_id=article_id)
    # when
    reopened = table.negotiation.consent_to_reopen(EMPLOYER_CHIEF, article_id=article_id)
    # then
    assert reopened is True
    article = table.article_state(article_id)
    assert article.status == "open"
    assert article.agreed_proposal_id is None
    assert article.current_language == "Article 12 language."
    assert event_names(table.negotiation)[-1] == "ArticleReopened"


def _reopened(table, number="12"):
    article_id, agreed = _agreed(table, number)
    table.negotiation.consent_to_reopen(UNION_CHIEF, article_id=article_id)
    table.negotiation.consent_to_reopen(EMPLOYER_CHIEF, article_id=article_id)
    return article_id, agreed


def test_proposal_on_a_reopened_article_is_allowed():
    # given
    table = at_the_table()
    article_id, agreed = _reopened(table)
    # when
    proposal_id = table.propose(article_id, "New language.", by=EMPLOYER_MEMBER, answers=agreed)
    # then
    assert table.proposal_state(article_id, proposal_id).status == "live"


def test_tad_version_is_its_proposers_live_proposal_after_reopening():
    # given
    table = at_the_table()
    article_id, agreed = _agreed(table)
    table.negotiation.consent_to_reopen(UNION_CHIEF, article_id=article_id)
    # when
    table.negotiation.consent_to_reopen(EMPLOYER_CHIEF, article_id=article_id)
    # then
    article = table.article_state(article_id)
    assert article.proposal(agreed).status == "live"
    assert article.live_proposal("union").proposal_id == agreed
    assert article.latest_on_table().proposal_id == agreed


def test_proposal_ignoring_the_reopened_tad_version_is_refused():
    # given
    table = at_the_table()
    article_id, _ = _reopened(table)
    # when / then: the union's TA'd version is live again; the employer must answer it
    with refused(table.negotiation, errors.MustAnswerLatestProposal):
        table.propose(article_id, "New language.", by=EMPLOYER_MEMBER, answers=None)


def test_counter_answering_the_reopened_tad_version_supersedes_nothing_of_the_proposer():
    # given
    table = at_the_table()
    article_id, agreed = _reopened(table)
    # when
    counter = table.propose(article_id, "Cap at 26.", by=EMPLOYER_MEMBER, answers=agreed)
    # then
    article = table.article_state(article_id)
    assert article.proposal(counter).answers == agreed
    assert article.proposal(agreed).status == "live"
    assert article.latest_on_table().proposal_id == counter


def test_proposer_may_revise_the_reopened_tad_version():
    # given
    table = at_the_table()
    article_id, agreed = _reopened(table)
    # when
    revision = table.propose(article_id, "Cap at 23.", by=UNION_MEMBER, revises=agreed)
    # then
    article = table.article_state(article_id)
    assert article.proposal(agreed).status == "superseded"
    assert article.live_proposal("union").proposal_id == revision


def test_reopened_tad_version_can_be_signed_again():
    # given
    table = at_the_table()
    article_id, agreed = _reopened(table)
    table.negotiation.sign_ta(EMPLOYER_CHIEF, article_id=article_id, proposal_id=agreed)
    # when
    done = table.negotiation.sign_ta(UNION_CHIEF, article_id=article_id, proposal_id=agreed)
    # then
    assert done is True
    assert table.article_state(article_id).agreed_proposal_id == agreed


def test_reopened_tad_version_can_be_withdrawn_by_its_proposer():
    # given
    table = at_the_table()
    article_id, agreed = _reopened(table)
    # when
    table.negotiation.withdraw_proposal(UNION_MEMBER, article_id=article_id, proposal_id=agreed)
    # then
    article = table.article_state(article_id)
    assert article.proposal(agreed).status == "withdrawn"
    assert article.latest_on_table() is None


def test_proposal_after_only_one_consent_to_reopen_is_refused():
    # given
    table = at_the_table()
    article_id, _ = _agreed(table)
    table.negotiation.consent_to_reopen(UNION_CHIEF, article_id=article_id)
    # when / then
    with refused(table.negotiation, errors.ArticleClosed):
        table.propose(article_id, "New language.")


def test_withdrawn_article_reopens_when_both_parties_consent():
    # given
    table = at_the_table()
    article_id = table.article("12")
    table.negotiation.withdraw_article(UNION_CHIEF, article_id=article_id)
    table.negotiation.consent_to_reopen(EMPLOYER_CHIEF, article_id=article_id)
    # when
    table.negotiation.consent_to_reopen(UNION_CHIEF, article_id=article_id)
    # then
    assert table.article_state(article_id).status == "open"


def test_consent_to_reopen_given_twice_by_one_party_is_refused():
    # given
    table = at_the_table()
    article_id, _ = _agreed(table)
    table.negotiation.consent_to_reopen(UNION_CHIEF, article_id=article_id)
    # when / then
    with refused(table.negotiation, errors.RuleRefused):
        table.negotiation.consent_to_reopen(UNION_CHIEF, article_id=article_id)


def test_consent_to_reopen_an_open_article_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    # when / then
    with refused(table.negotiation, errors.RuleRefused):
        table.negotiation.consent_to_reopen(UNION_CHIEF, article_id=article_id)


def test_consent_to_reopen_outside_a_session_without_written_exchange_is_refused():
    # given
    table = at_the_table(written_exchange_allowed=False)
    article_id, _ = _agreed(table)
    table.negotiation.close_session(UNION_CHIEF, session_id=table.session_id)
    # when / then
    with refused(table.negotiation, errors.NotAtTheTable):
        table.negotiation.consent_to_reopen(UNION_CHIEF, article_id=article_id)


def test_consent_to_reopen_by_a_team_member_who_is_not_chief_is_refused():
    # given
    table = at_the_table()
    article_id, _ = _agreed(table)
    # when / then
    with refused(table.negotiation, errors.ChiefNegotiatorOnly):
        table.negotiation.consent_to_reopen(UNION_MEMBER, article_id=article_id)


# ---------------------------------------------------------------- the whole tentative agreement


def test_whole_tentative_agreement_is_reached_when_every_article_is_tad():
    # given
    table = at_the_table()
    article_12, _ = _agreed(table, "12")
    article_13 = table.article("13")
    v1 = table.propose(article_13, "Prep time of 60 minutes.")
    assert table.negotiation.state.whole_ta is None
    # when
    table.agree(article_13, v1)
    # then
    whole = table.negotiation.state.whole_ta
    assert whole is not None
    assert sorted(whole.agreed_article_ids) == sorted([article_12, article_13])
    assert whole.withdrawn_article_ids == []
    assert whole.document_hash == table.negotiation.document_hash()
    assert event_names(table.negotiation)[-1] == "TentativeAgreementReached"


def test_whole_tentative_agreement_is_not_reached_while_an_article_is_open():
    # given
    table = at_the_table()
    _agreed(table, "12")
    table.article("13")
    # then
    assert table.negotiation.state.whole_ta is None


def test_whole_tentative_agreement_counts_withdrawn_articles_as_settled():
    # given
    table = at_the_table()
    article_12, _ = _agreed(table, "12")
    article_13 = table.article("13")
    # when
    table.negotiation.withdraw_article(UNION_CHIEF, article_id=article_13)
    # then
    whole = table.negotiation.state.whole_ta
    assert whole is not None
    assert whole.agreed_article_ids == [article_12]
    assert whole.withdrawn_article_ids == [article_13]


def test_every_article_withdrawn_is_not_a_tentative_agreement():
    # given
    table = at_the_table()
    article_12 = table.article("12")
    article_13 = table.article("13")
    table.negotiation.withdraw_article(UNION_CHIEF, article_id=article_12)
    # when
    table.negotiation.withdraw_article(UNION_CHIEF, article_id=article_13)
    # then
    assert table.negotiation.state.whole_ta is None
    assert "TentativeAgreementReached" not in event_names(table.negotiation)


def test_reopening_an_article_undoes_the_whole_tentative_agreement():
    # given
    table = at_the_table()
    article_id, _ = _agreed(table)
    assert table.negotiation.state.whole_ta is not None
    table.negotiation.consent_to_reopen(UNION_CHIEF, article_id=article_id)
    # when
    table.negotiation.consent_to_reopen(EMPLOYER_CHIEF, article_id=article_id)
    # then
    assert table.negotiation.state.whole_ta is None


def test_opening_a_new_article_undoes_the_whole_tentative_agreement():
    # given
    table = at_the_table()
    _agreed(table)
    # when
    table.article("14")
    # then
    assert table.negotiation.state.whole_ta is None


def test_document_hash_changes_when_agreed_language_changes():
    # given
    table = at_the_table()
    article_id, v1 = _agreed(table)
    first_hash = table.negotiation.state.whole_ta.document_hash
    table.negotiation.consent_to_reopen(UNION_CHIEF, article_id=article_id)
    table.negotiation.consent_to_reopen(EMPLOYER_CHIEF, article_id=article_id)
    v2 = table.propose(article_id, "Different language.", by=UNION_MEMBER, revises=v1)
    # when
    table.agree(article_id, v2)
    # then
    assert table.negotiation.state.whole_ta.document_hash != first_hash
