"""Replay safety: events rebuild the same state, also through msgpack, and snapshots too."""

import msgspec
from eventsourcing.persistence import Mapper, StoredEvent

from negotiation.domain.actors import PLATFORM_ACTOR, Actor, Stamp
from negotiation.domain.negotiation import Negotiation
from negotiation.transcoder import MsgspecTranscoder
from tests.unit.builders import (
    ADMIN,
    EMPLOYER_CHIEF,
    FACILITATOR,
    UNION_CHIEF,
    UNION_MEMBER,
    Table,
    agree_ground_rules,
    an_hour_ago,
    in_a_week,
    new_negotiation,
    open_session,
)


def _a_full_day_at_the_table() -> Negotiation:
    """One scenario touching every kind of event the aggregate records."""
    negotiation = new_negotiation()
    agree_ground_rules(
        negotiation,
        written_exchange_allowed=True,
        interpretation_languages=("en", "es"),
        observers="members and community",
    )
    session_id = open_session(negotiation)
    table = Table(negotiation=negotiation, session_id=session_id)
    n = negotiation

    a12, a13, a14 = table.article("12"), table.article("13"), table.article("14")
    n.set_agenda(FACILITATOR, session_id=session_id, article_ids=[a12, a13, a14])
    n.bring_to_table(UNION_CHIEF, session_id=session_id, article_id=a12)
    n.count_attendance(FACILITATOR, session_id=session_id, count=300)
    n.hide_overlay_graphic(UNION_MEMBER, graphic="reactions")
    n.take_speaker_to_air(FACILITATOR, session_id=session_id, name="Mira Chen", title="Mediator")
    n.clear_speaker(UNION_MEMBER, session_id=session_id)
    n.show_overlay_graphic(FACILITATOR, graphic="reactions")

    draft = n.draft_proposal(UNION_MEMBER, article_id=a12, text="Cap at 22.")
    n.revise_draft(UNION_MEMBER, draft_id=draft, text="Cap at 24.")
    u1 = n.table_draft(UNION_CHIEF, draft_id=draft)
    e2 = table.propose(a12, "Cap at 28.", by=EMPLOYER_CHIEF, answers=u1)
    n.call_caucus(UNION_CHIEF, session_id=session_id)
    n.record_team_note(UNION_MEMBER, text="Settle at 26.", session_id=session_id, article_id=a12)
    n.end_caucus(UNION_CHIEF, session_id=session_id)
    u3 = table.propose(a12, "Cap at 26.", answers=e2)
    table.agree(a12, u3)

    package_id, _ = n.table_package(
        EMPLOYER_CHIEF,
        items=[
            {"article_id": a13, "text": "Prep of 45 minutes."},
            {"article_id": a14, "text": "Two parent conferences."},
        ],
    )
    n.accept_package(UNION_CHIEF, package_id=package_id)
    n.consent_to_reopen(EMPLOYER_CHIEF, article_id=a14)
    n.consent_to_reopen(UNION_CHIEF, article_id=a14)
    n.withdraw_article(UNION_CHIEF, article_id=a14)

    n.recess_session(FACILITATOR, session_id=session_id)
    n.resume_session(FACILITATOR, session_id=session_id)
    n.change_session_visibility(FACILITATOR, session_id=session_id, visibility="members")
    n.publish_bulletin(UNION_CHIEF, session_id=session_id, text="Class size TA'd at 26.")
    n.close_session(UNION_CHIEF, session_id=session_id)
    n.close_reaction_totals(  # the card totals of the article on the table when it closed
        PLATFORM_ACTOR,
        session_id=session_id,
        article_id=a12,
        turn=1,
        red=4,
        green=9,
        peak_red=6,
        peak_green=11,
    )

    # Between sessions, in writing, after moving the cut-off into the past.
    offer = n.propose_ground_rules(
        EMPLOYER_CHIEF,
        rules=n.state.ground_rules.__class__(
            proposal_cutoff=an_hour_ago(), written_exchange_allowed=True
        ),
    )
    n.agree_ground_rules(UNION_CHIEF, offer_id=offer)
    request = n.request_late_article(
        UNION_CHIEF, number="30", title="Housing", category="common_good"
    )
    a30 = n.consent_to_late_article(EMPLOYER_CHIEF, request_id=request)
    request = n.request_late_article(
        UNION_CHIEF, number="31", title="Transit", category="common_good"
    )
    a31 = n.consent_to_late_article(EMPLOYER_CHIEF, request_id=request)
    p30 = table.propose(a30, "The district studies staff housing.")
    n.withdraw_proposal(UNION_CHIEF, proposal_id=p30, article_id=a30)
    items = [{"article_id": a30, "text": "Housing fund."}, {"article_id": a31, "text": "Passes."}]
    withdrawn_package, _ = n.table_package(UNION_CHIEF, items=items)
    n.withdraw_package(UNION_CHIEF, package_id=withdrawn_package)
    _, (p30, _) = n.table_package(UNION_CHIEF, items=items)
    table.propose(a30, "A housing study.", by=EMPLOYER_CHIEF, answers=p30)  # rejects the package
    n.withdraw_article(UNION_CHIEF, article_id=a30)
    n.withdraw_article(UNION_CHIEF, article_id=a31)

    n.appoint_facilitator(ADMIN, facilitator=Actor(account_id="second", name="Second Facilitator"))
    n.name_chief_negotiator(UNION_CHIEF, account_id=UNION_MEMBER.account_id)
    n.remove_team_member(UNION_MEMBER, account_id=UNION_CHIEF.account_id)

    # Ratification: a no sends it back to the table, a second vote ratifies.
    window = {"question": "Ratify?", "opens_at": an_hour_ago(), "closes_at": in_a_week()}
    for outcome in ("rejected", "ratified"):
        vote_id = n.call_ratification_vote(UNION_MEMBER, **window)
        n.record_vote_outcome(
            UNION_MEMBER, vote_id=vote_id, outcome=outcome, counts={"yes": 1}, record_hash="x"
        )
    return negotiation


def _replay(events) -> Negotiation:
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def test_scenario_reaches_a_whole_tentative_agreement():
    # given / when
    negotiation = _a_full_day_at_the_table()
    # then: the scenario is worth replaying: it records every kind of event
    assert negotiation.state.whole_ta is not None
    assert len(negotiation.state.articles) == 5
    assert sorted({p.status for p in negotiation.state.packages.values()}) == [
        "accepted",
        "rejected",
        "withdrawn",
    ]
    recorded = {type(e).__name__ for e in negotiation.pending_events}
    every_event = {
        name
        for name, value in vars(Negotiation).items()
        if isinstance(value, type)
        and hasattr(value, "mutate")
        and name not in {"Snapshot", "Created", "Event"}  # base classes, not recorded
    }
    assert every_event - recorded == set()


def test_replaying_the_events_rebuilds_the_same_state():
    # given
    negotiation = _a_full_day_at_the_table()
    expected_state = negotiation.state
    expected_version = negotiation.version
    events = negotiation.collect_events()
    # when
    rebuilt = _replay(events)
    # then
    assert rebuilt.id == negotiation.id
    assert rebuilt.version == expected_version
    assert rebuilt.state == expected_state


def test_events_through_the_msgpack_transcoder_replay_to_the_same_state():
    # given
    negotiation = _a_full_day_at_the_table()
    events = negotiation.collect_events()
    mapper = Mapper(transcoder=MsgspecTranscoder())
    # when
    stored = [mapper.to_stored_event(event) for event in events]
    rebuilt = _replay(mapper.to_domain_event(record) for record in stored)
    # then
    assert rebuilt.version == negotiation.version
    assert rebuilt.state == negotiation.state


def test_snapshot_through_the_msgpack_transcoder_restores_the_same_state():
    # given
    negotiation = _a_full_day_at_the_table()
    negotiation.collect_events()
    mapper = Mapper(transcoder=MsgspecTranscoder())
    # when
    snapshot = Negotiation.Snapshot.take(negotiation)
    restored = mapper.to_domain_event(mapper.to_stored_event(snapshot)).mutate(None)
    # then
    assert isinstance(restored, Negotiation)
    assert restored.id == negotiation.id
    assert restored.version == negotiation.version
    assert restored.state == negotiation.state
    assert restored.pending_events == []


def test_aggregate_restored_from_a_snapshot_keeps_enforcing_the_rules():
    # given: a restored aggregate must behave like the original (typed state, not plain dicts)
    negotiation = new_negotiation()
    agree_ground_rules(negotiation)
    session_id = open_session(negotiation)
    article_id = Table(negotiation, session_id).article("12")
    negotiation.collect_events()
    mapper = Mapper(transcoder=MsgspecTranscoder())
    restored = mapper.to_domain_event(
        mapper.to_stored_event(Negotiation.Snapshot.take(negotiation))
    ).mutate(None)
    # when
    proposal_id = restored.table_proposal(UNION_CHIEF, article_id=article_id, text="Cap at 24.")
    restored.sign_ta(UNION_CHIEF, article_id=article_id, proposal_id=proposal_id)
    agreed = restored.sign_ta(EMPLOYER_CHIEF, article_id=article_id, proposal_id=proposal_id)
    # then
    assert agreed is True
    assert restored.state.articles[article_id].status == "agreed"
    # tabled, two TA signatures, article agreed, whole TA reached
    assert restored.version == negotiation.version + 5


def test_events_after_a_snapshot_replay_onto_it_to_the_same_state():
    # given
    negotiation = new_negotiation()
    agree_ground_rules(negotiation)
    session_id = open_session(negotiation)
    table = Table(negotiation, session_id)
    article_id = table.article("12")
    negotiation.collect_events()
    mapper = Mapper(transcoder=MsgspecTranscoder())
    snapshot = mapper.to_stored_event(Negotiation.Snapshot.take(negotiation))
    v1 = table.propose(article_id, "Cap at 24.")
    table.agree(article_id, v1)
    later = [mapper.to_stored_event(e) for e in negotiation.collect_events()]
    # when
    rebuilt = mapper.to_domain_event(snapshot).mutate(None)
    for record in later:
        rebuilt = mapper.to_domain_event(record).mutate(rebuilt)
    # then
    assert rebuilt.version == negotiation.version
    assert rebuilt.state == negotiation.state


def _as_recorded_before_typed_stamps(stored):
    """The same stored event as older code wrote it: `by` a plain map, not a Stamp."""
    state = msgspec.msgpack.decode(stored.state)
    if isinstance(state.get("by"), dict):
        state["by"] = dict(state["by"])
    return StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=msgspec.msgpack.encode(state),
    )


def test_stamps_are_stored_as_the_map_events_always_carried():
    # given
    negotiation = new_negotiation()
    mapper = Mapper(transcoder=MsgspecTranscoder())
    # when
    stored = [mapper.to_stored_event(event) for event in negotiation.collect_events()]
    # then: the read side reads `by` as this map; its keys and their order are unchanged
    for record in stored:
        by = msgspec.msgpack.decode(record.state)["by"]
        assert list(by) == ["account_id", "name", "party", "as_received", "in_writing"]
        assert record.state == _as_recorded_before_typed_stamps(record).state


def test_events_stored_with_plain_map_stamps_replay_to_the_same_state():
    # given: events as they are in databases recorded before stamps were typed
    negotiation = _a_full_day_at_the_table()
    mapper = Mapper(transcoder=MsgspecTranscoder())
    stored = [
        _as_recorded_before_typed_stamps(mapper.to_stored_event(event))
        for event in negotiation.collect_events()
    ]
    # when
    events = [mapper.to_domain_event(record) for record in stored]
    rebuilt = _replay(events)
    # then
    assert all(isinstance(event.by, Stamp) for event in events)
    assert rebuilt.version == negotiation.version
    assert rebuilt.state == negotiation.state
