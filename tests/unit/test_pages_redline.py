"""The pages mark up a pair of texts once, however many viewers ask for it."""

import pytest

from projections import redline as redlines
from projections.redline import redline
from web.pages import viewer


@pytest.fixture
def calls(monkeypatch):
    redlines._remembered.cache_clear()
    seen = []

    def counting(before, after):
        seen.append((before, after))
        return redline(before, after)

    monkeypatch.setattr(redlines, "redline", counting)
    yield seen
    redlines._remembered.cache_clear()


def test_every_viewer_asking_for_the_same_marks_costs_one_redline(calls):
    before, after = "Class size shall not exceed 30.", "Class size shall not exceed 24."
    marks = {viewer.marked_up(before, after) for _ in range(100)}
    assert marks == {redline(before, after).html()}
    assert len(calls) == 1


def test_a_pair_too_long_to_keep_is_marked_up_each_time(calls):
    long = "word " * (redlines.CACHED_REDLINE_TEXT // 5)
    first, second = viewer.marked_up(long, "short"), viewer.marked_up(long, "short")
    assert first == second == redline(long, "short").html()
    assert len(calls) == 2


def test_every_voter_reading_the_ballots_document_costs_one_redline_per_article(calls):
    from projections.ratification import ratification_document
    from tests.unit.builders import EMPLOYER_CHIEF, UNION_CHIEF
    from tests.unit.test_views import PUBLIC, Table

    t = Table()
    t.session("open")
    article = t.article("1")
    proposal = t.n.table_proposal(UNION_CHIEF, article_id=article, text="Class size: 24.")
    t.n.sign_ta(UNION_CHIEF, article_id=article, proposal_id=proposal)
    t.n.sign_ta(EMPLOYER_CHIEF, article_id=article, proposal_id=proposal)
    board = t.board
    documents = [ratification_document(board, "", {}, "", PUBLIC) for _ in range(100)]
    assert {d.articles[0].redline_html for d in documents} == {
        redline(board.articles[article].current_language or "", "Class size: 24.").html()
    }
    assert len(calls) == 1
