"""The key ceremony's complaint round on the vote: a guardian confirms the shares it received or
challenges one; the challenged guardian reveals it; the server checks the reveal against the
commitments. The refusals record nothing, and the key cannot form while a challenge is open."""

from __future__ import annotations

import pytest

from negotiation.ballots.ceremony import Guardian, seal_share
from negotiation.ballots.group import Scalar
from negotiation.ballots.record import guardian_record
from negotiation.ballots.sample import Ceremony, run_ceremony
from negotiation.domain import errors
from negotiation.domain import vote_commands as c
from negotiation.domain.ratification import Vote
from tests.unit.builders import UNION_CHIEF, refused
from tests.unit.test_ratification import OFFICIALS, called_vote

FORGED = Scalar.from_int(7)


def sealed(g: Guardian, ceremony: Ceremony, forge_for: int | None = None) -> list[c.SealedShare]:
    out = []
    for a in ceremony.announcements:
        value = g.share_for(a.index)
        if a.index == forge_for:
            value = value + FORGED
        s = seal_share(ceremony.hash, g.index, a, value)
        out.append(
            c.SealedShare(
                recipient=s.recipient, ephemeral=bytes(s.ephemeral), nonce=s.nonce, sealed=s.sealed
            )
        )
    return out


def shares_posted(forged: bool = True, posting: int = 3) -> tuple[Vote, Ceremony]:
    """Three guardians announced, the first `posting` posted their shares; guardian 2 sealed a
    wrong share to guardian 1 (`forged`)."""
    _, vote = called_vote()
    vote.appoint_election_officials(
        UNION_CHIEF, c.AppointElectionOfficials(officials=OFFICIALS, quorum=2)
    )
    vote.certify_voter_roll(OFFICIALS[0], c.CertifyVoterRoll(roll_hash="ab" * 32, eligible=10))
    ceremony = run_ceremony(vote.election_id, 3, 2)
    for official, a in zip(OFFICIALS, ceremony.announcements, strict=True):
        vote.announce_guardian(official, c.AnnounceGuardian(record=guardian_record(a)))
    for official, g in zip(OFFICIALS[:posting], ceremony.guardians, strict=False):
        forge_for = 1 if forged and g.index == 2 else None
        vote.post_guardian_shares(
            official, c.PostGuardianShares(shares=sealed(g, ceremony, forge_for))
        )
    return vote, ceremony


def challenged() -> tuple[Vote, Ceremony]:
    vote, ceremony = shares_posted()
    vote.confirm_guardian_shares(OFFICIALS[1], c.ConfirmGuardianShares())
    vote.confirm_guardian_shares(OFFICIALS[2], c.ConfirmGuardianShares())
    vote.challenge_guardian_share(OFFICIALS[0], c.ChallengeGuardianShare(sender=2))
    return vote, ceremony


def reveal(vote: Vote, value: Scalar) -> str:
    return vote.reveal_guardian_share(
        OFFICIALS[1], c.RevealGuardianShare(recipient=1, share=bytes(value))
    )


def test_the_key_waits_for_every_guardian_to_confirm_its_shares() -> None:
    vote, _ = shares_posted(forged=False)
    vote.confirm_guardian_shares(OFFICIALS[0], c.ConfirmGuardianShares())
    with refused(vote, errors.VoteStepRefused) as info:
        vote.publish_joint_key(OFFICIALS[0], c.PublishJointKey())
    assert "2, 3 have not yet confirmed" in str(info.value)
    for official in OFFICIALS[1:]:
        vote.confirm_guardian_shares(official, c.ConfirmGuardianShares())
    assert vote.publish_joint_key(OFFICIALS[0], c.PublishJointKey())


def test_an_honest_reveal_resolves_the_challenge_and_the_key_forms() -> None:
    vote, ceremony = challenged()
    with refused(vote, errors.VoteStepRefused) as info:
        vote.publish_joint_key(OFFICIALS[2], c.PublishJointKey())
    assert "guardian 2 has not revealed it yet" in str(info.value)
    assert reveal(vote, ceremony.guardians[1].share_for(1)) == "revealed"
    assert vote.state.challenges[0].revealed == bytes(ceremony.guardians[1].share_for(1))
    vote.confirm_guardian_shares(OFFICIALS[0], c.ConfirmGuardianShares())
    assert vote.publish_joint_key(OFFICIALS[2], c.PublishJointKey())


def test_a_false_reveal_disqualifies_and_only_reappointing_restarts_the_ceremony() -> None:
    vote, ceremony = challenged()
    assert reveal(vote, ceremony.guardians[1].share_for(1) + FORGED) == "disqualified"
    assert vote.state.disqualified == [OFFICIALS[1].account_id]
    for official in OFFICIALS:
        with refused(vote, errors.VoteStepRefused) as info:
            vote.publish_joint_key(official, c.PublishJointKey())
        assert "Guardian 2 (Official 2) was disqualified" in str(info.value)
        assert "appoints the officials again" in str(info.value)
    with refused(vote, errors.VoteStepRefused):
        vote.confirm_guardian_shares(OFFICIALS[0], c.ConfirmGuardianShares())
    with refused(vote, errors.InvalidRequest) as info:
        vote.appoint_election_officials(
            UNION_CHIEF, c.AppointElectionOfficials(officials=OFFICIALS, quorum=2)
        )
    assert "Official 2 was disqualified" in str(info.value)
    # Restart: the officials again, without guardian 2; nothing of the old ceremony remains.
    vote.appoint_election_officials(
        UNION_CHIEF,
        c.AppointElectionOfficials(officials=[OFFICIALS[0], OFFICIALS[2]], quorum=2),
    )
    assert (vote.state.announcements, vote.state.shares, vote.state.challenges) == ({}, {}, [])
    fresh = run_ceremony(vote.election_id, 2, 2, label="again")
    for official, a in zip((OFFICIALS[0], OFFICIALS[2]), fresh.announcements, strict=True):
        vote.announce_guardian(official, c.AnnounceGuardian(record=guardian_record(a)))
    assert len(vote.state.announcements) == 2


def test_a_challenge_of_a_share_you_did_not_receive_is_refused() -> None:
    vote, _ = shares_posted(posting=1)
    with refused(vote, errors.VoteStepRefused) as info:
        vote.challenge_guardian_share(OFFICIALS[0], c.ChallengeGuardianShare(sender=3))
    assert "no share from guardian 3" in str(info.value)
    with refused(vote, errors.InvalidRequest) as info:
        vote.challenge_guardian_share(OFFICIALS[0], c.ChallengeGuardianShare(sender=1))
    assert "your own" in str(info.value)


def test_a_challenge_after_confirming_or_twice_is_refused() -> None:
    vote, _ = challenged()
    with refused(vote, errors.VoteStepRefused) as info:
        vote.challenge_guardian_share(OFFICIALS[0], c.ChallengeGuardianShare(sender=2))
    assert "already challenged" in str(info.value)
    with refused(vote, errors.VoteStepRefused) as info:
        vote.challenge_guardian_share(OFFICIALS[1], c.ChallengeGuardianShare(sender=3))
    assert "have confirmed" in str(info.value)
    with refused(vote, errors.VoteStepRefused) as info:
        vote.confirm_guardian_shares(OFFICIALS[0], c.ConfirmGuardianShares())
    assert "not answered yet" in str(info.value)


@pytest.mark.parametrize("who, recipient", [(2, 1), (0, 2), (1, 3)])
def test_a_reveal_by_someone_not_accused_is_refused(who: int, recipient: int) -> None:
    """Guardian 3 was not challenged; guardian 1 not by guardian 2; guardian 2 not by 3."""
    vote, ceremony = challenged()
    value = ceremony.guardians[who].share_for(recipient)
    with refused(vote, errors.VoteStepRefused) as info:
        vote.reveal_guardian_share(
            OFFICIALS[who], c.RevealGuardianShare(recipient=recipient, share=bytes(value))
        )
    assert "has not challenged your share" in str(info.value)


def test_a_second_reveal_and_a_malformed_one_are_refused() -> None:
    vote, ceremony = challenged()
    with refused(vote, errors.InvalidRequest):
        vote.reveal_guardian_share(
            OFFICIALS[1], c.RevealGuardianShare(recipient=1, share=b"\xff" * 32)
        )
    reveal(vote, ceremony.guardians[1].share_for(1))
    with refused(vote, errors.VoteStepRefused) as info:
        reveal(vote, ceremony.guardians[1].share_for(1))
    assert "already revealed" in str(info.value)


def test_the_vote_cannot_open_with_a_challenge_unanswered() -> None:
    vote, _ = challenged()
    vote.record_credentials_issued(OFFICIALS[0], c.RecordCredentialsIssued(count=10))
    with refused(vote, errors.VoteStepRefused) as info:
        vote.open_vote(OFFICIALS[0], c.OpenVote())
    assert "challenged the share guardian 2 sent it" in str(info.value)
