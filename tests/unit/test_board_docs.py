"""Board documents as stored: compressed, and documents stored before compression still load."""

from datetime import UTC, datetime

from projections.board import BOARD_ENCODER, Board, TeamEntry
from projections.board_store import decode_doc, encode_doc


def _board() -> Board:
    board = Board(
        negotiation_id="n1",
        title="Teachers 2026",
        kind="collective_bargaining",
        bargaining_unit="Teachers",
        union_name="Union",
        employer_name="District",
        opened_at=datetime(2026, 1, 1, tzinfo=UTC),
        position=42,
    )
    for n in range(200):
        board.team[f"account-{n}"] = TeamEntry(name=f"Member {n}", party="union", role="member")
    return board


def test_a_stored_document_is_smaller_than_the_board_and_loads_back_the_same():
    board = _board()
    doc = encode_doc(board)
    assert len(doc) < len(BOARD_ENCODER.encode(board)) / 3
    assert decode_doc(doc) == board


def test_a_document_stored_before_compression_still_loads():
    board = _board()
    assert decode_doc(BOARD_ENCODER.encode(board)) == board
