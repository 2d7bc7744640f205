"""Proposals and counterproposals, revisions, withdrawals, drafts, and acts on closed articles."""

from negotiation.domain import errors
from tests.unit.builders import (
    EMPLOYER_CHIEF,
    EMPLOYER_MEMBER,
    UNION_CHIEF,
    UNION_MEMBER,
    at_the_table,
    refused,
)

# ---------------------------------------------------------------- tabling and countering


def test_initial_proposal_is_tabled_live_with_its_full_text():
    # given
    table = at_the_table()
    article_id = table.article("12")
    # when
    proposal_id = table.propose(article_id, "Class size is capped at 24.", by=UNION_MEMBER)
    # then
    proposal = table.proposal_state(article_id, proposal_id)
    assert proposal.status == "live"
    assert proposal.party == "union"
    assert proposal.version == 1
    assert proposal.text == "Class size is capped at 24."
    assert proposal.session_id == table.session_id
    assert proposal.in_writing is False


def test_counterproposal_answering_the_other_sides_latest_is_tabled():
    # given
    table = at_the_table()
    article_id = table.article("12")
    union_v1 = table.propose(article_id, "Cap at 24.")
    # when
    counter = table.propose(article_id, "Cap at 28.", by=EMPLOYER_CHIEF, answers=union_v1)
    # then
    proposal = table.proposal_state(article_id, counter)
    assert proposal.answers == union_v1
    assert proposal.version == 2
    assert table.article_state(article_id).latest_on_table().proposal_id == counter


def test_proposal_that_ignores_the_other_sides_live_proposal_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    table.propose(article_id, "Cap at 24.")
    # when / then: the employer tables as if nothing were on the table
    with refused(table.negotiation, errors.MustAnswerLatestProposal):
        table.propose(article_id, "Cap at 28.", by=EMPLOYER_CHIEF)


def test_counterproposal_answering_an_older_version_is_refused():
    # given: the union revised its proposal, so version 1 is no longer the latest
    table = at_the_table()
    article_id = table.article("12")
    union_v1 = table.propose(article_id, "Cap at 24.")
    table.propose(article_id, "Cap at 25.", revises=union_v1)
    # when / then
    with refused(table.negotiation, errors.MustAnswerLatestProposal):
        table.propose(article_id, "Cap at 28.", by=EMPLOYER_CHIEF, answers=union_v1)


def test_counterproposal_answering_its_own_sides_proposal_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    union_v1 = table.propose(article_id, "Cap at 24.")
    employer_v2 = table.propose(article_id, "Cap at 28.", by=EMPLOYER_CHIEF, answers=union_v1)
    # when / then: the employer "answers" its own proposal instead of the union's
    with refused(table.negotiation, errors.MustAnswerLatestProposal):
        table.propose(
            article_id, "Cap at 27.", by=EMPLOYER_CHIEF, answers=employer_v2, revises=employer_v2
        )


def test_counterproposal_answering_a_withdrawn_proposal_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    union_v1 = table.propose(article_id, "Cap at 24.")
    table.negotiation.withdraw_proposal(UNION_CHIEF, proposal_id=union_v1, article_id=article_id)
    # when / then
    with refused(table.negotiation, errors.MustAnswerLatestProposal):
        table.propose(article_id, "Cap at 28.", by=EMPLOYER_CHIEF, answers=union_v1)


def test_counterproposal_answering_a_proposal_on_another_article_is_refused():
    # given
    table = at_the_table()
    article_12 = table.article("12")
    article_13 = table.article("13")
    union_on_12 = table.propose(article_12, "Cap at 24.")
    table.propose(article_13, "Prep time of 60 minutes.")
    # when / then
    with refused(table.negotiation, errors.MustAnswerLatestProposal):
        table.propose(
            article_13, "Prep time of 30 minutes.", by=EMPLOYER_CHIEF, answers=union_on_12
        )


def test_proposal_with_empty_text_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    # when / then
    with refused(table.negotiation, errors.InvalidRequest):
        table.propose(article_id, "   ")


def test_tabling_on_an_article_other_than_the_one_on_the_table_is_allowed():
    # given
    table = at_the_table()
    article_12 = table.article("12")
    article_13 = table.article("13")
    table.negotiation.bring_to_table(
        UNION_CHIEF, session_id=table.session_id, article_id=article_12
    )
    # when
    proposal_id = table.propose(article_13, "Prep time of 60 minutes.")
    # then
    assert table.proposal_state(article_13, proposal_id).status == "live"


# ---------------------------------------------------------------- revisions


def test_revision_of_own_latest_proposal_supersedes_it():
    # given
    table = at_the_table()
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    # when
    v2 = table.propose(article_id, "Cap at 25.", by=UNION_MEMBER, revises=v1)
    # then
    assert table.proposal_state(article_id, v1).status == "superseded"
    assert table.proposal_state(article_id, v2).status == "live"
    assert table.article_state(article_id).live_proposal("union").proposal_id == v2


def test_second_proposal_that_does_not_name_the_one_it_revises_is_refused():
    # given: two team members tabling at once must not silently replace each other
    table = at_the_table()
    article_id = table.article("12")
    table.propose(article_id, "Cap at 24.")
    # when / then
    with refused(table.negotiation, errors.StaleWrite):
        table.propose(article_id, "Cap at 25.", by=UNION_MEMBER)


def test_revision_naming_a_superseded_version_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    table.propose(article_id, "Cap at 25.", revises=v1)
    # when / then
    with refused(table.negotiation, errors.StaleWrite):
        table.propose(article_id, "Cap at 26.", revises=v1)


def test_revision_of_the_other_sides_proposal_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    union_v1 = table.propose(article_id, "Cap at 24.")
    # when / then
    with refused(table.negotiation, errors.StaleWrite):
        table.propose(
            article_id, "Cap at 28.", by=EMPLOYER_CHIEF, answers=union_v1, revises=union_v1
        )


def test_counterproposal_supersedes_the_countering_sides_previous_proposal():
    # given: union v1, employer v2, union v3 answering v2
    table = at_the_table()
    article_id = table.article("12")
    union_v1 = table.propose(article_id, "Cap at 24.")
    employer_v2 = table.propose(article_id, "Cap at 28.", by=EMPLOYER_CHIEF, answers=union_v1)
    # when
    union_v3 = table.propose(article_id, "Cap at 26.", answers=employer_v2)
    # then
    assert table.proposal_state(article_id, union_v1).status == "superseded"
    assert table.proposal_state(article_id, union_v3).status == "live"
    assert table.article_state(article_id).latest_on_table().proposal_id == union_v3


# ---------------------------------------------------------------- withdrawals


def test_party_withdraws_its_own_live_proposal():
    # given
    table = at_the_table()
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    # when
    table.negotiation.withdraw_proposal(UNION_MEMBER, proposal_id=v1, article_id=article_id)
    # then
    assert table.proposal_state(article_id, v1).status == "withdrawn"
    assert table.article_state(article_id).status == "open"


def test_withdrawing_a_revision_does_not_bring_back_the_superseded_proposal():
    # given
    table = at_the_table()
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    v2 = table.propose(article_id, "Cap at 25.", revises=v1)
    # when
    table.negotiation.withdraw_proposal(UNION_CHIEF, proposal_id=v2, article_id=article_id)
    # then
    article = table.article_state(article_id)
    assert article.proposal(v1).status == "superseded"
    assert article.live_proposal("union") is None
    assert article.latest_on_table() is None


def test_withdrawing_the_other_sides_proposal_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    # when / then
    with refused(table.negotiation, errors.NotPermitted):
        table.negotiation.withdraw_proposal(EMPLOYER_CHIEF, proposal_id=v1, article_id=article_id)


def test_withdrawing_a_superseded_proposal_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    table.propose(article_id, "Cap at 25.", revises=v1)
    # when / then
    with refused(table.negotiation, errors.RuleRefused):
        table.negotiation.withdraw_proposal(UNION_CHIEF, proposal_id=v1, article_id=article_id)


def test_withdrawing_an_already_withdrawn_proposal_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    table.negotiation.withdraw_proposal(UNION_CHIEF, proposal_id=v1, article_id=article_id)
    # when / then
    with refused(table.negotiation, errors.RuleRefused):
        table.negotiation.withdraw_proposal(UNION_CHIEF, proposal_id=v1, article_id=article_id)


def test_new_proposal_after_withdrawing_own_is_an_initial_proposal_again():
    # given
    table = at_the_table()
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    table.negotiation.withdraw_proposal(UNION_CHIEF, proposal_id=v1, article_id=article_id)
    # when
    v2 = table.propose(article_id, "Cap at 26.")
    # then
    assert table.proposal_state(article_id, v2).status == "live"
    assert table.proposal_state(article_id, v2).answers is None


# ---------------------------------------------------------------- acts on closed articles


def _agreed_article(table):
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    table.agree(article_id, v1)
    return article_id, v1


def _withdrawn_article(table):
    article_id = table.article("12")
    v1 = table.propose(article_id, "Cap at 24.")
    table.negotiation.withdraw_article(UNION_CHIEF, article_id=article_id)
    return article_id, v1


def test_proposal_on_a_tad_article_is_refused():
    # given
    table = at_the_table()
    article_id, v1 = _agreed_article(table)
    # when / then
    with refused(table.negotiation, errors.ArticleClosed):
        table.propose(article_id, "Cap at 22.", by=EMPLOYER_CHIEF, answers=v1)


def test_withdrawal_on_a_tad_article_is_refused():
    # given
    table = at_the_table()
    article_id, v1 = _agreed_article(table)
    # when / then
    with refused(table.negotiation, errors.ArticleClosed):
        table.negotiation.withdraw_proposal(UNION_CHIEF, proposal_id=v1, article_id=article_id)


def test_withdrawing_the_subject_of_a_tad_article_is_refused():
    # given
    table = at_the_table()
    article_id, _ = _agreed_article(table)
    # when / then
    with refused(table.negotiation, errors.ArticleClosed):
        table.negotiation.withdraw_article(UNION_CHIEF, article_id=article_id)


def test_ta_on_a_tad_article_is_refused():
    # given
    table = at_the_table()
    article_id, v1 = _agreed_article(table)
    # when / then
    with refused(table.negotiation, errors.ArticleClosed):
        table.negotiation.sign_ta(UNION_CHIEF, article_id=article_id, proposal_id=v1)


def test_proposal_on_a_withdrawn_article_is_refused():
    # given
    table = at_the_table()
    article_id, _ = _withdrawn_article(table)
    # when / then
    with refused(table.negotiation, errors.ArticleClosed):
        table.propose(article_id, "Cap at 20.")


def test_ta_on_a_withdrawn_article_is_refused():
    # given
    table = at_the_table()
    article_id, v1 = _withdrawn_article(table)
    # when / then
    with refused(table.negotiation, errors.ArticleClosed):
        table.negotiation.sign_ta(EMPLOYER_CHIEF, article_id=article_id, proposal_id=v1)


def test_withdrawal_on_a_withdrawn_article_is_refused():
    # given
    table = at_the_table()
    article_id, v1 = _withdrawn_article(table)
    # when / then
    with refused(table.negotiation, errors.ArticleClosed):
        table.negotiation.withdraw_proposal(UNION_CHIEF, proposal_id=v1, article_id=article_id)


def test_tabling_a_draft_on_a_tad_article_is_refused():
    # given
    table = at_the_table()
    article_id, v1 = _agreed_article(table)
    draft_id = table.negotiation.draft_proposal(
        EMPLOYER_MEMBER, article_id=article_id, text="Cap at 30."
    )
    # when / then
    with refused(table.negotiation, errors.ArticleClosed):
        table.negotiation.table_draft(EMPLOYER_MEMBER, draft_id=draft_id, answers=v1)


# ---------------------------------------------------------------- drafts


def test_draft_is_private_to_its_team_and_not_on_the_table():
    # given
    table = at_the_table()
    article_id = table.article("12")
    # when
    draft_id = table.negotiation.draft_proposal(
        UNION_MEMBER, article_id=article_id, text="Cap at 22."
    )
    # then
    assert table.negotiation.state.drafts[draft_id].party == "union"
    assert table.article_state(article_id).proposals == []


def test_draft_of_the_other_team_cannot_be_revised_and_is_reported_missing():
    # given
    table = at_the_table()
    article_id = table.article("12")
    draft_id = table.negotiation.draft_proposal(UNION_MEMBER, article_id=article_id, text="Cap.")
    # when / then
    with refused(table.negotiation, errors.NotFound):
        table.negotiation.revise_draft(EMPLOYER_CHIEF, draft_id=draft_id, text="Peek.")


def test_draft_of_the_other_team_cannot_be_tabled():
    # given
    table = at_the_table()
    article_id = table.article("12")
    draft_id = table.negotiation.draft_proposal(UNION_MEMBER, article_id=article_id, text="Cap.")
    # when / then
    with refused(table.negotiation, errors.NotFound):
        table.negotiation.table_draft(EMPLOYER_CHIEF, draft_id=draft_id)


def test_draft_revised_from_a_stale_revision_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    draft_id = table.negotiation.draft_proposal(UNION_MEMBER, article_id=article_id, text="A.")
    table.negotiation.revise_draft(UNION_CHIEF, draft_id=draft_id, text="B.", expected_revision=1)
    # when / then
    with refused(table.negotiation, errors.StaleWrite):
        table.negotiation.revise_draft(
            UNION_MEMBER, draft_id=draft_id, text="C.", expected_revision=1
        )


def test_tabled_draft_becomes_a_live_proposal_with_the_draft_text():
    # given
    table = at_the_table()
    article_id = table.article("12")
    draft_id = table.negotiation.draft_proposal(UNION_MEMBER, article_id=article_id, text="A.")
    table.negotiation.revise_draft(UNION_MEMBER, draft_id=draft_id, text="Cap at 23.")
    # when
    proposal_id = table.negotiation.table_draft(UNION_CHIEF, draft_id=draft_id)
    # then
    assert table.proposal_state(article_id, proposal_id).text == "Cap at 23."
    assert table.negotiation.state.drafts[draft_id].tabled_as == proposal_id


def test_draft_tabled_twice_is_refused():
    # given
    table = at_the_table()
    article_id = table.article("12")
    draft_id = table.negotiation.draft_proposal(UNION_MEMBER, article_id=article_id, text="A.")
    table.negotiation.table_draft(UNION_CHIEF, draft_id=draft_id)
    # when / then
    with refused(table.negotiation, errors.RuleRefused):
        table.negotiation.table_draft(UNION_CHIEF, draft_id=draft_id)


def test_draft_is_allowed_during_a_caucus():
    # given
    table = at_the_table()
    article_id = table.article("12")
    table.negotiation.call_caucus(UNION_CHIEF, session_id=table.session_id)
    # when
    draft_id = table.negotiation.draft_proposal(UNION_MEMBER, article_id=article_id, text="A.")
    # then
    assert draft_id in table.negotiation.state.drafts


def test_draft_is_allowed_with_no_session_open_and_no_written_exchange():
    # given
    table = at_the_table(written_exchange_allowed=False)
    article_id = table.article("12")
    table.negotiation.close_session(UNION_CHIEF, session_id=table.session_id)
    # when
    draft_id = table.negotiation.draft_proposal(UNION_MEMBER, article_id=article_id, text="A.")
    # then
    assert draft_id in table.negotiation.state.drafts


def test_draft_is_allowed_on_a_tad_article():
    # given: preparing a position for a possible reopening is the team's own business
    table = at_the_table()
    article_id, _ = _agreed_article(table)
    # when
    draft_id = table.negotiation.draft_proposal(EMPLOYER_CHIEF, article_id=article_id, text="A.")
    # then
    assert draft_id in table.negotiation.state.drafts


def test_proposal_from_a_stale_view_of_the_article_is_refused():
    # given: a team member loaded the article, then someone tabled on it
    table = at_the_table()
    article_id = table.article("12")
    seen_revision = table.article_state(article_id).revision
    union_v1 = table.propose(article_id, "Cap at 24.")
    table.propose(article_id, "Cap at 28.", by=EMPLOYER_CHIEF, answers=union_v1)
    # when / then
    with refused(table.negotiation, errors.StaleWrite):
        table.propose(article_id, "Cap at 26.", expected_revision=seen_revision)
