"""Closing an article's card totals: once per turn on the table, after it has left it, by
the platform only."""

from negotiation.domain import errors
from negotiation.domain.actors import PLATFORM_ACTOR
from tests.unit.builders import UNION_CHIEF, at_the_table, event_names, refused


def _totals(session_id, article_id, turn=1, red=3, green=5, peak_red=4, peak_green=6):
    return dict(
        session_id=session_id,
        article_id=article_id,
        turn=turn,
        red=red,
        green=green,
        peak_red=peak_red,
        peak_green=peak_green,
    )


def _two_turns():
    table = at_the_table()
    first, second = table.article("12"), table.article("14")
    table.negotiation.bring_to_table(UNION_CHIEF, session_id=table.session_id, article_id=first)
    table.negotiation.bring_to_table(UNION_CHIEF, session_id=table.session_id, article_id=second)
    return table, first, second


def test_totals_close_for_an_article_that_has_left_the_table():
    # given
    table, first, _ = _two_turns()
    # when
    table.negotiation.close_reaction_totals(PLATFORM_ACTOR, **_totals(table.session_id, first))
    # then
    assert event_names(table.negotiation)[-1] == "ReactionTotalsClosed"
    assert table.last_event().peak_green == 6


def test_totals_close_only_once_per_turn():
    # given
    table, first, _ = _two_turns()
    table.negotiation.close_reaction_totals(PLATFORM_ACTOR, **_totals(table.session_id, first))
    # when / then: a second node asking for the same turn
    with refused(table.negotiation, errors.RuleRefused):
        table.negotiation.close_reaction_totals(
            PLATFORM_ACTOR, **_totals(table.session_id, first, red=9)
        )


def test_totals_of_the_article_still_on_the_table_are_refused():
    # given
    table, _, second = _two_turns()
    # when / then
    with refused(table.negotiation, errors.RuleRefused):
        table.negotiation.close_reaction_totals(
            PLATFORM_ACTOR, **_totals(table.session_id, second, turn=2)
        )


def test_closing_the_session_makes_the_last_article_on_the_table_due():
    # given
    table, _, second = _two_turns()
    table.negotiation.close_session(UNION_CHIEF, session_id=table.session_id)
    # when
    table.negotiation.close_reaction_totals(
        PLATFORM_ACTOR, **_totals(table.session_id, second, turn=2)
    )
    # then
    assert event_names(table.negotiation)[-1] == "ReactionTotalsClosed"


def test_a_person_cannot_record_card_totals():
    # given
    table, first, _ = _two_turns()
    # when / then
    with refused(table.negotiation, errors.NotPermitted):
        table.negotiation.close_reaction_totals(UNION_CHIEF, **_totals(table.session_id, first))


def test_a_peak_below_the_final_count_is_refused():
    # given
    table, first, _ = _two_turns()
    # when / then
    with refused(table.negotiation, errors.InvalidRequest):
        table.negotiation.close_reaction_totals(
            PLATFORM_ACTOR, **_totals(table.session_id, first, red=5, peak_red=2)
        )
