"""The ratification document: its canonical form and hash with the union's plain-language
summaries, who writes them, and that they cannot change once the vote opens."""

from __future__ import annotations

import pytest

from negotiation.domain import errors
from negotiation.domain import vote_commands as c
from negotiation.domain.document import DocumentText, canonical_form, document_hash
from tests.unit.builders import ADMIN, EMPLOYER_CHIEF, UNION_CHIEF, UNION_MEMBER, refused
from tests.unit.test_ratification import OFFICIALS, called_vote, ready_vote

A = DocumentText("a1", "12", "Class size", "Class size 24.")
B = DocumentText("b2", "3", "Wages", "Wages rise 4%.")


def test_without_summaries_the_document_hash_is_the_whole_tas():
    table, vote = called_vote()
    assert vote.state.document_hash == table.negotiation.document_hash()
    assert table.negotiation.document_hash() == document_hash(
        table.negotiation.document_texts(), {}
    )


def test_a_summary_changes_the_hash_and_so_does_its_wording():
    plain = document_hash([A, B], {})
    summed = document_hash([A, B], {"a1": "Smaller classes."})
    assert summed != plain
    assert document_hash([A, B], {"a1": "Smaller classes!"}) != summed
    assert document_hash([A, B], {}, "A good deal.") != plain


def test_the_canonical_form_is_in_article_number_order_and_tells_its_parts_apart():
    assert canonical_form([A, B], {}) == canonical_form([B, A], {})
    # "3" sorts before "12" as text, as the whole TA's own hash always ordered them
    assert canonical_form([A, B], {}).startswith(b'["12"')
    # a summary of an article is not the same document as that text as the overall summary
    assert document_hash([A], {"a1": "x"}) != document_hash([A], {}, "x")
    # an empty summary is no summary
    assert document_hash([A], {"a1": ""}) == document_hash([A], {})


def test_the_union_chief_writes_a_summary_into_the_document_the_ballots_are_bound_to():
    table, vote = called_vote()
    article = table.negotiation.document_texts()[0].article_id
    before = vote.state.document_hash
    new = vote.write_summary(
        UNION_CHIEF,
        c.WriteSummary(article_id=article, text="  Classes get smaller.  "),
        table.negotiation.document_texts(),
    )
    assert vote.state.summaries == {article: "Classes get smaller."}
    assert vote.state.document_hash == new != before
    assert new == table.negotiation.document_hash({article: "Classes get smaller."})
    # the overall summary is part of it too; an empty text takes a summary out again
    vote.write_summary(
        UNION_CHIEF, c.WriteSummary(text="A fair deal."), table.negotiation.document_texts()
    )
    assert vote.state.overall_summary == "A fair deal."
    vote.write_summary(
        UNION_CHIEF, c.WriteSummary(article_id=article, text=""), table.negotiation.document_texts()
    )
    vote.write_summary(UNION_CHIEF, c.WriteSummary(text=""), table.negotiation.document_texts())
    assert vote.state.document_hash == before


def test_the_election_context_binds_the_summaries():
    table, vote, _ = ready_vote()
    before = vote.context().hash
    article = table.negotiation.document_texts()[0].article_id
    vote.write_summary(
        UNION_CHIEF,
        c.WriteSummary(article_id=article, text="Smaller classes."),
        table.negotiation.document_texts(),
    )
    assert vote.context().document_hash == bytes.fromhex(vote.state.document_hash)
    assert vote.context().hash != before


def test_a_summary_cannot_change_once_the_vote_opens():
    table, vote, _ = ready_vote()
    vote.open_vote(OFFICIALS[0], c.OpenVote())
    article = table.negotiation.document_texts()[0].article_id
    with refused(vote, errors.VoteStepRefused) as info:  # type: ignore[arg-type]
        vote.write_summary(
            UNION_CHIEF,
            c.WriteSummary(article_id=article, text="Too late."),
            table.negotiation.document_texts(),
        )
    assert "can no longer change" in str(info.value)


def test_a_summary_of_an_article_not_in_the_agreement_is_refused():
    table, vote = called_vote()
    with refused(vote, errors.NotFound):  # type: ignore[arg-type]
        vote.write_summary(
            UNION_CHIEF,
            c.WriteSummary(article_id="no-such-article", text="?"),
            table.negotiation.document_texts(),
        )


def test_a_summary_of_another_agreement_is_refused():
    _table, vote = called_vote()
    other = [DocumentText("x", "1", "Other", "Other text.")]
    with refused(vote, errors.VoteStepRefused):  # type: ignore[arg-type]
        vote.write_summary(UNION_CHIEF, c.WriteSummary(text="Hi."), other)


def test_only_the_union_chief_writes_the_summaries():
    table, _ = called_vote()
    table.negotiation.require_summary_writer(UNION_CHIEF)
    for actor, error in (
        (UNION_MEMBER, errors.ChiefNegotiatorOnly),
        (EMPLOYER_CHIEF, errors.NotPermitted),
        (ADMIN, errors.NotOnTeam),
    ):
        with pytest.raises(error) as info:
            table.negotiation.require_summary_writer(actor)
        assert str(info.value).strip()
