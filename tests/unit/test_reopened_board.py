"""The board folds a reopening as the aggregate does: the TA'd version is live again."""

from eventsourcing.persistence import Mapper

from negotiation.transcoder import MsgspecTranscoder
from projections import board as boards
from projections.events import decode_row
from tests.unit.builders import EMPLOYER_CHIEF, UNION_CHIEF, at_the_table


def _fold(negotiation):
    mapper = Mapper(transcoder=MsgspecTranscoder())
    board = None
    for position, domain_event in enumerate(negotiation.collect_events(), 1):
        stored = mapper.to_stored_event(domain_event)
        row = (
            position,
            stored.originator_id,
            stored.originator_version,
            stored.topic,
            stored.state,
        )
        board = boards.apply(board, decode_row(row))
    return board


def test_board_shows_the_tad_version_live_after_both_parties_reopen():
    # given
    table = at_the_table()
    article_id = table.article("12")
    agreed = table.propose(article_id, "Cap at 24.")
    table.agree(article_id, agreed)
    table.negotiation.consent_to_reopen(UNION_CHIEF, article_id=article_id)
    # when
    table.negotiation.consent_to_reopen(EMPLOYER_CHIEF, article_id=article_id)
    board = _fold(table.negotiation)
    # then: the same as the aggregate's state
    entry = board.articles[article_id]
    assert entry.status == "open"
    assert entry.proposal(agreed).status == "live"
    assert entry.live("union").proposal_id == agreed
    assert table.article_state(article_id).proposal(agreed).status == "live"
