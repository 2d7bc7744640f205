"""The ratification vote: who calls it, its effects on the negotiation, its steps and rulings."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from fractions import Fraction

import pytest

from negotiation.ballots.ballot import encrypt_ballot
from negotiation.ballots.ceremony import seal_share
from negotiation.ballots.record import (
    BallotSubmission,
    CiphertextRecord,
    ProofRecord,
    RangeProofRecord,
    ballot_record,
    guardian_record,
    share_record,
)
from negotiation.ballots.sample import run_ceremony, seed
from negotiation.ballots.tally import partial_decrypt
from negotiation.domain import commands as nc
from negotiation.domain import errors
from negotiation.domain import vote_commands as c
from negotiation.domain.actors import Actor
from negotiation.domain.ratification import Vote, outcome_of, quorum_met, threshold_met
from tests.unit.builders import (
    ADMIN,
    EMPLOYER_CHIEF,
    UNION_CHIEF,
    UNION_MEMBER,
    Table,
    at_the_table,
    now,
    refused,
)

OFFICIALS = [Actor(account_id=f"official-{i}", name=f"Official {i}") for i in (1, 2, 3)]


def whole_ta() -> Table:
    table = at_the_table()
    article = table.article("12")
    table.agree(article, table.propose(article, "Class size 24."))
    assert table.negotiation.state.whole_ta is not None
    return table


def call(table: Table, by: Actor = UNION_CHIEF, **fields: object) -> str:
    body = {
        "question": "Ratify?",
        "opens_at": now() - timedelta(minutes=1),
        "closes_at": now() + timedelta(days=1),
        **fields,
    }
    return table.negotiation.call_ratification_vote(by, **body)


def called_vote(**fields: object) -> tuple[Table, Vote]:
    table = whole_ta()
    vote_id = call(table, **fields)
    command = nc.command_of(
        nc.CallRatificationVote,
        {
            "question": "Ratify?",
            "opens_at": now() - timedelta(minutes=1),
            "closes_at": now() + timedelta(days=1),
            **fields,
        },
    )
    vote = Vote.call(
        vote_id=vote_id,
        negotiation_id=str(table.negotiation.id),
        document_hash=table.negotiation.state.whole_ta.document_hash,  # type: ignore[union-attr]
        actor=UNION_CHIEF,
        command=command,
    )
    return table, vote


def ready_vote(
    options: list[str] | None = None, **fields: object
) -> tuple[Table, Vote, dict[int, object]]:
    """A vote with officials, a certified roll of 10, the ceremony done, credentials issued."""
    table, vote = called_vote(options=options or ["yes", "no"], **fields)
    vote.appoint_election_officials(
        UNION_CHIEF, c.AppointElectionOfficials(officials=OFFICIALS, quorum=2)
    )
    vote.certify_voter_roll(OFFICIALS[0], c.CertifyVoterRoll(roll_hash="ab" * 32, eligible=10))
    ceremony = run_ceremony(vote.election_id, 3, 2)
    assert ceremony.hash == vote.ceremony_hash
    for official, a in zip(OFFICIALS, ceremony.announcements, strict=True):
        vote.announce_guardian(official, c.AnnounceGuardian(record=guardian_record(a)))
    for official, g in zip(OFFICIALS, ceremony.guardians, strict=True):
        shares = []
        for a in ceremony.announcements:
            sealed = g.encrypted_share_for(a)
            shares.append(
                c.SealedShare(
                    recipient=sealed.recipient,
                    ephemeral=bytes(sealed.ephemeral),
                    nonce=sealed.nonce,
                    sealed=sealed.sealed,
                )
            )
        vote.post_guardian_shares(official, c.PostGuardianShares(shares=shares))
    for official in OFFICIALS:
        vote.confirm_guardian_shares(official, c.ConfirmGuardianShares())
    vote.publish_joint_key(OFFICIALS[1], c.PublishJointKey())
    vote.record_credentials_issued(OFFICIALS[0], c.RecordCredentialsIssued(count=10))
    return table, vote, dict(ceremony.secret_shares)


def submission(vote: Vote, choice: int, label: str) -> BallotSubmission:
    record = ballot_record(b"", encrypt_ballot(vote.context(), choice, seed(label)))
    return BallotSubmission(record.ciphertexts, record.range_proofs, record.sum_proof)


def cast(vote: Vote, choice: int, label: str) -> bytes:
    command = c.CastBallot(ballot=submission(vote, choice, label))
    checked = vote.check_ballot(command)
    return vote.cast_ballot(Actor(account_id="voter", name="voter"), command, checked)


def decrypt_and_certify(
    vote: Vote, secrets: dict[int, object], present: tuple[int, ...] = (1, 3)
) -> str:
    for i in present:
        share = partial_decrypt(vote.context().hash, i, secrets[i], vote.totals(), seed(f"d{i}"))  # type: ignore[arg-type]
        vote.post_partial_decryption(
            OFFICIALS[i - 1], c.PostPartialDecryption(share=share_record(share))
        )
    return vote.certify_tally(OFFICIALS[0], c.CertifyTally())


# ------------------------------------------------------------------ rulings as functions
def test_majority_means_more_than_half_and_a_tie_is_rejected():
    assert threshold_met("majority", 6, 5)
    assert not threshold_met("majority", 5, 5)


def test_other_thresholds_mean_at_least_that_share_of_yes_and_no():
    assert threshold_met("2/3", 2, 1)
    assert not threshold_met("2/3", 199, 101)


def test_abstentions_count_for_quorum_but_not_the_threshold():
    counts = {"yes": 3, "no": 2, "abstain": 5}
    assert outcome_of("majority", "1/2", counts, turnout=10, roll=20) == "ratified"
    assert outcome_of("majority", "1/2", counts, turnout=10, roll=21) == "quorum_missed"


def test_quorum_is_turnout_at_least_the_share_of_the_roll():
    assert quorum_met("1/2", 50, 100) and not quorum_met("1/2", 49, 100)
    assert quorum_met(None, 0, 100)
    assert Fraction(1, 2) == Fraction(50, 100)


def test_no_yes_or_no_at_all_ratifies_nothing():
    assert not threshold_met("1/3", 0, 0)


# ------------------------------------------------------------------ calling the vote
def test_the_union_chief_calls_a_vote_on_the_whole_ta():
    table = whole_ta()
    vote_id = call(table)
    assert table.negotiation.state.ratification.vote_id == vote_id  # type: ignore[union-attr]


def test_an_administrator_may_call_the_vote():
    table = whole_ta()
    call(table, by=ADMIN)


def test_the_employer_side_has_no_role_in_ratification():
    table = whole_ta()
    with refused(table.negotiation, errors.NotPermitted) as info:
        call(table, by=EMPLOYER_CHIEF)
    assert "employer" in str(info.value)


def test_a_union_team_member_who_is_not_chief_cannot_call_the_vote():
    table = whole_ta()
    with refused(table.negotiation, errors.ChiefNegotiatorOnly):
        call(table, by=UNION_MEMBER)


def test_no_vote_without_a_whole_ta():
    table = at_the_table()
    table.article("12")
    with refused(table.negotiation, errors.NoWholeTA):
        call(table)


def test_no_vote_when_every_article_was_withdrawn():
    table = at_the_table()
    article = table.article("12")
    table.negotiation.withdraw_article(UNION_CHIEF, article_id=article)
    with refused(table.negotiation, errors.NoWholeTA):
        call(table)


def test_a_second_vote_while_one_is_called_is_refused():
    table = whole_ta()
    call(table)
    with refused(table.negotiation, errors.VoteInProgress):
        call(table)


def test_no_article_opens_while_a_vote_is_called():
    table = whole_ta()
    call(table)
    with refused(table.negotiation, errors.VoteInProgress):
        table.article("13")


def test_no_article_is_reopened_while_a_vote_is_called():
    table = whole_ta()
    article = next(iter(table.negotiation.state.articles))
    call(table)
    with refused(table.negotiation, errors.VoteInProgress):
        table.negotiation.consent_to_reopen(UNION_CHIEF, article_id=article)


def test_a_window_that_closes_before_it_opens_is_refused():
    table = whole_ta()
    with refused(table.negotiation, errors.InvalidRequest):
        call(table, opens_at=now(), closes_at=now() - timedelta(hours=1))


def test_after_a_no_the_negotiation_is_back_at_the_table_and_a_new_vote_may_be_called():
    table = whole_ta()
    vote_id = call(table)
    table.negotiation.record_vote_outcome(
        UNION_CHIEF,
        vote_id=vote_id,
        outcome="rejected",
        counts={"yes": 1, "no": 2},
        record_hash="x",
    )
    table.article("13")  # back at the table
    table2 = whole_ta()
    first = call(table2)
    table2.negotiation.record_vote_outcome(
        UNION_CHIEF, vote_id=first, outcome="quorum_missed", counts={}, record_hash="x"
    )
    assert call(table2) != first


def test_after_ratification_nothing_opens_and_no_vote_is_called():
    table = whole_ta()
    vote_id = call(table)
    table.negotiation.record_vote_outcome(
        UNION_CHIEF,
        vote_id=vote_id,
        outcome="ratified",
        counts={"yes": 3, "no": 1},
        record_hash="x",
    )
    assert type(table.negotiation.pending_events[-1]).__name__ == "ContractRatified"
    with refused(table.negotiation, errors.AlreadyRatified):
        table.article("13")
    with refused(table.negotiation, errors.AlreadyRatified):
        call(table)


# ------------------------------------------------------------------ the vote's steps
def test_the_whole_vote_ratifies_on_a_yes_majority():
    _, vote, secrets = ready_vote()
    vote.open_vote(OFFICIALS[0], c.OpenVote())
    codes = [cast(vote, choice, f"b{i}") for i, choice in enumerate([0, 0, 1])]
    assert len(set(codes)) == 3
    vote.close_vote(OFFICIALS[0], c.CloseVote(reason="everyone has voted"))
    assert decrypt_and_certify(vote, secrets) == "ratified"
    assert vote.state.result == [2, 1]


def test_a_tie_is_rejected_and_a_missed_quorum_is_not_ratified():
    _, vote, secrets = ready_vote()
    vote.open_vote(OFFICIALS[0], c.OpenVote())
    cast(vote, 0, "t0")
    cast(vote, 1, "t1")
    vote.close_vote(OFFICIALS[0], c.CloseVote(reason="test"))
    assert decrypt_and_certify(vote, secrets) == "rejected"
    _, vote, secrets = ready_vote(quorum="1/2")
    vote.open_vote(OFFICIALS[0], c.OpenVote())
    cast(vote, 0, "q0")
    vote.close_vote(OFFICIALS[0], c.CloseVote(reason="test"))
    assert decrypt_and_certify(vote, secrets, present=(2, 3)) == "quorum_missed"


def test_the_ballot_events_carry_no_member_and_only_the_day():
    _, vote, _ = ready_vote()
    vote.open_vote(OFFICIALS[0], c.OpenVote())
    cast(vote, 0, "s0")
    event = vote.pending_events[-1]
    assert type(event).__name__ == "BallotCast"
    assert not hasattr(event, "by")
    assert (event.timestamp.hour, event.timestamp.minute, event.timestamp.second) == (0, 0, 0)


def test_only_officials_run_the_vote():
    _, vote, _ = ready_vote()
    with refused(vote, errors.NotElectionOfficial):
        vote.open_vote(UNION_CHIEF, c.OpenVote())


def test_the_vote_opens_only_after_key_and_credentials():
    _, vote = called_vote()
    vote.appoint_election_officials(
        UNION_CHIEF, c.AppointElectionOfficials(officials=OFFICIALS, quorum=2)
    )
    with refused(vote, errors.VoteStepRefused):
        vote.open_vote(OFFICIALS[0], c.OpenVote())


def test_the_roll_is_frozen_once_the_vote_opens():
    _, vote, _ = ready_vote()
    vote.open_vote(OFFICIALS[0], c.OpenVote())
    with refused(vote, errors.RollFrozen):
        vote.certify_voter_roll(OFFICIALS[0], c.CertifyVoterRoll(roll_hash="cd" * 32, eligible=3))


def test_a_ballot_before_the_vote_opens_is_outside_the_window():
    _, vote, _ = ready_vote()
    command = c.CastBallot(ballot=submission(vote, 0, "early"))
    checked = vote.check_ballot(command)
    with refused(vote, errors.OutsideWindow):
        vote.cast_ballot(OFFICIALS[0], command, checked)


def test_a_ballot_after_the_window_is_refused(monkeypatch: pytest.MonkeyPatch):
    _, vote, _ = ready_vote()
    vote.open_vote(OFFICIALS[0], c.OpenVote())
    command = c.CastBallot(ballot=submission(vote, 0, "late"))
    import negotiation.domain.ratification as ratification

    monkeypatch.setattr(ratification, "_now", lambda: now() + timedelta(days=2))
    checked = vote.check_ballot(command)
    with refused(vote, errors.OutsideWindow):
        vote.cast_ballot(OFFICIALS[0], command, checked)


def test_a_ballot_whose_proof_fails_is_refused_naming_the_proof():
    _, vote, _ = ready_vote()
    vote.open_vote(OFFICIALS[0], c.OpenVote())
    good = submission(vote, 0, "forged")
    other = submission(vote, 1, "other")
    forged = BallotSubmission(
        good.ciphertexts, [good.range_proofs[0], other.range_proofs[1]], good.sum_proof
    )
    with refused(vote, errors.InvalidBallot) as info:
        vote.check_ballot(c.CastBallot(ballot=forged))
    assert "'no' is 0 or 1" in str(info.value)


def test_a_ballot_with_bytes_that_are_not_points_is_refused():
    _, vote, _ = ready_vote()
    good = submission(vote, 0, "junk")
    junk = BallotSubmission(
        [CiphertextRecord(b"\xff" * 32, b"\xff" * 32)] * 2, good.range_proofs, good.sum_proof
    )
    with refused(vote, errors.InvalidBallot):
        vote.check_ballot(c.CastBallot(ballot=junk))
    assert RangeProofRecord and ProofRecord  # the wire types exist for the browser


def test_closing_early_needs_a_reason():
    _, vote, _ = ready_vote()
    vote.open_vote(OFFICIALS[0], c.OpenVote())
    with refused(vote, errors.InvalidRequest):
        vote.close_vote(OFFICIALS[0], c.CloseVote(reason=" "))


def test_a_decryption_share_made_with_the_wrong_key_is_refused():
    _, vote, secrets = ready_vote()
    vote.open_vote(OFFICIALS[0], c.OpenVote())
    cast(vote, 0, "w0")
    vote.close_vote(OFFICIALS[0], c.CloseVote(reason="test"))
    wrong = partial_decrypt(vote.context().hash, 1, secrets[2], vote.totals(), seed("w"))  # type: ignore[arg-type]
    with refused(vote, errors.InvalidRequest) as info:
        vote.post_partial_decryption(
            OFFICIALS[0], c.PostPartialDecryption(share=share_record(wrong))
        )
    assert "Guardian 1" in str(info.value)


def test_the_tally_is_not_certified_with_fewer_than_k_shares():
    _, vote, secrets = ready_vote()
    vote.open_vote(OFFICIALS[0], c.OpenVote())
    cast(vote, 0, "k0")
    vote.close_vote(OFFICIALS[0], c.CloseVote(reason="test"))
    share = partial_decrypt(vote.context().hash, 1, secrets[1], vote.totals(), seed("k"))  # type: ignore[arg-type]
    vote.post_partial_decryption(OFFICIALS[0], c.PostPartialDecryption(share=share_record(share)))
    with refused(vote, errors.VoteStepRefused):
        vote.certify_tally(OFFICIALS[0], c.CertifyTally())


def test_a_guardian_cannot_announce_for_another():
    _, vote = called_vote()
    vote.appoint_election_officials(
        UNION_CHIEF, c.AppointElectionOfficials(officials=OFFICIALS, quorum=2)
    )
    ceremony = run_ceremony(vote.election_id, 3, 2)
    with refused(vote, errors.InvalidRequest):
        vote.announce_guardian(
            OFFICIALS[0], c.AnnounceGuardian(record=guardian_record(ceremony.announcements[1]))
        )
    assert seal_share and hashlib  # imported for the browser-like helpers above


def test_a_snapshot_of_a_vote_restores_the_same_typed_state():
    from negotiation.domain.ratification import VoteSnapshot

    _, vote, _ = ready_vote()
    vote.open_vote(OFFICIALS[0], c.OpenVote())
    cast(vote, 1, "snap")
    restored = VoteSnapshot.take(vote).mutate(None)
    assert restored.state == vote.state
    assert restored.context().hash == vote.context().hash


def test_a_detached_copy_for_reading_shares_no_pending_events_with_the_vote():
    _, vote = called_vote()
    copy = vote.detached()
    assert copy.state == vote.state and copy.state is not vote.state
    assert copy.collect_events() == []  # the shared vote's pending events stay its own
    assert [type(e).__name__ for e in vote.collect_events()] == ["VoteCalled"]
