"""The record verifier passes an honest record and names what was tampered with in a forged one."""

from pathlib import Path

import msgspec
import pytest

from negotiation.ballots.ballot import display_tracking_code
from negotiation.ballots.group import Scalar
from negotiation.ballots.record import ElectionRecord, ProofRecord, ShareChallengeRecord
from negotiation.ballots.sample import build_record, run_ceremony
from negotiation.ballots.verify import main, verify_record

OPTIONS = ("yes", "no", "abstain")
CHOICES = [0, 1, 0, 2, 0]


@pytest.fixture(scope="module")
def record() -> ElectionRecord:
    return build_record("verify-1", OPTIONS, CHOICES)


def replace_ballot(record: ElectionRecord, i: int, **changes: object) -> ElectionRecord:
    ballots = list(record.ballots)
    ballots[i] = msgspec.structs.replace(ballots[i], **changes)
    return msgspec.structs.replace(record, ballots=ballots)


def name(record: ElectionRecord, i: int) -> str:
    return f"ballot {display_tracking_code(record.ballots[i].tracking_code)} (no. {i + 1})"


def test_an_honest_record_verifies_and_recomputes_the_result(record: ElectionRecord) -> None:
    v = verify_record(record)
    assert v.problems == []
    assert v.counts == (3, 1, 1) == tuple(record.result)


def test_the_record_survives_json_and_still_verifies(record: ElectionRecord) -> None:
    data = msgspec.json.encode(record)
    assert verify_record(msgspec.json.decode(data, type=ElectionRecord)).ok


def test_a_tampered_range_proof_names_the_ballot_and_the_option(record: ElectionRecord) -> None:
    proofs = list(record.ballots[2].range_proofs)
    p = proofs[1]
    proofs[1] = msgspec.structs.replace(p, c0=p.c1, c1=p.c0)
    problems = verify_record(replace_ballot(record, 2, range_proofs=proofs)).problems
    bad = f"{name(record, 2)}: the proof that the selection for 'no' is 0 or 1 does not verify"
    assert bad in problems
    assert f"{name(record, 2)}: its tracking code does not follow from the ballot chain" in problems


def test_a_swapped_ciphertext_fails_its_proofs_and_the_tally(record: ElectionRecord) -> None:
    cts = list(record.ballots[0].ciphertexts)
    cts[0], cts[1] = cts[1], cts[0]
    problems = verify_record(replace_ballot(record, 0, ciphertexts=cts)).problems
    bad = f"{name(record, 0)}: the proof that the selection for 'yes'"
    assert any(p.startswith(bad) for p in problems)
    assert "the published encrypted tally is not the sum of the published ballots" in problems


def test_a_tampered_sum_proof_is_named(record: ElectionRecord) -> None:
    p = record.ballots[4].sum_proof
    tampered = ProofRecord(p.v, p.c)
    problems = verify_record(replace_ballot(record, 4, sum_proof=tampered)).problems
    bad = f"{name(record, 4)}: the proof that exactly one option is selected does not verify"
    assert bad in problems


def test_a_reused_ciphertext_is_detected(record: ElectionRecord) -> None:
    copy = record.ballots[1]
    replayed = msgspec.structs.replace(record, ballots=[*record.ballots, copy])
    problems = verify_record(replayed).problems
    code = display_tracking_code(copy.tracking_code)
    assert f"ballot {code} (no. 6): copies a ciphertext of {name(record, 1)}" in problems


def test_a_dropped_ballot_breaks_the_chain_and_the_tally(record: ElectionRecord) -> None:
    dropped = msgspec.structs.replace(record, ballots=[record.ballots[0], *record.ballots[2:]])
    problems = verify_record(dropped).problems
    code = display_tracking_code(record.ballots[2].tracking_code)
    broken = f"ballot {code} (no. 2): its tracking code does not follow from the ballot chain"
    assert broken in problems
    assert "the published encrypted tally is not the sum of the published ballots" in problems


def test_a_tampered_decryption_share_names_the_guardian_and_option(record: ElectionRecord) -> None:
    shares = list(record.decryption_shares)
    s = shares[1]
    shares[1] = msgspec.structs.replace(s, shares=[s.shares[0], s.shares[0], s.shares[2]])
    problems = verify_record(msgspec.structs.replace(record, decryption_shares=shares)).problems
    assert "guardian 3's decryption share: the proof for 'no' does not verify" in problems
    assert "the tally cannot be decrypted: decrypting the tally needs 2 guardians; 1 took part" in (
        problems
    )


def test_a_share_from_no_such_guardian_or_unreadable_is_named(record: ElectionRecord) -> None:
    stranger = msgspec.structs.replace(record.decryption_shares[0], guardian=7)
    garbled = msgspec.structs.replace(
        record.decryption_shares[1], shares=[b"\xff" * 32] * len(OPTIONS)
    )
    problems = verify_record(
        msgspec.structs.replace(record, decryption_shares=[stranger, garbled])
    ).problems
    assert problems == [
        "guardian 7's decryption share: no such guardian",
        "guardian 3's decryption share: cannot be read (not a valid ristretto255 encoding)",
        "the tally cannot be decrypted: decrypting the tally needs 2 guardians; 0 took part",
    ]


def test_a_changed_result_is_refused(record: ElectionRecord) -> None:
    problems = verify_record(msgspec.structs.replace(record, result=[1, 3, 1])).problems
    assert problems == [
        "the published result [1, 3, 1] is not what the shares decrypt to ([3, 1, 1])"
    ]


def test_an_invalid_point_in_a_ballot_is_named(record: ElectionRecord) -> None:
    cts = list(record.ballots[3].ciphertexts)
    cts[0] = msgspec.structs.replace(cts[0], alpha=b"\xff" * 32)
    problems = verify_record(replace_ballot(record, 3, ciphertexts=cts)).problems
    assert f"{name(record, 3)}: cannot be read (not a valid ristretto255 encoding)" in problems


def test_a_ballot_with_an_extra_selection_is_named_and_not_summed(record: ElectionRecord) -> None:
    cts = [*record.ballots[0].ciphertexts, record.ballots[0].ciphertexts[0]]
    problems = verify_record(replace_ballot(record, 0, ciphertexts=cts)).problems
    assert problems == [
        f"{name(record, 0)}: the ballot must carry one encrypted selection per option (3)",
        "the published encrypted tally is not the sum of the published ballots",
    ]


def test_a_swapped_roll_hash_fails_every_ballot(record: ElectionRecord) -> None:
    problems = verify_record(msgspec.structs.replace(record, roll_hash=b"\x01" * 32)).problems
    assert f"{name(record, 0)}: the proof that exactly one option is selected does not verify" in (
        problems
    )
    assert len(problems) > len(record.ballots)


def test_an_impossible_quorum_is_a_problem_not_a_crash(record: ElectionRecord) -> None:
    problems = verify_record(msgspec.structs.replace(record, quorum=4)).problems
    assert problems == [
        "the record's ceremony or context cannot be read: "
        "the quorum k must be between 1 and the number of guardians n"
    ]


def test_a_tampered_ceremony_commitment_is_named(record: ElectionRecord) -> None:
    ceremony = list(record.ceremony)
    g = ceremony[1]
    ceremony[1] = msgspec.structs.replace(g, commitments=[g.commitments[1], g.commitments[0]])
    problems = verify_record(msgspec.structs.replace(record, ceremony=ceremony)).problems
    assert "ceremony: guardian 2's proof for coefficient 0 does not verify" in problems
    assert "the election public key is not the product of the guardians' keys" in problems


def test_checking_ballots_in_several_processes_finds_the_same_problems(
    record: ElectionRecord,
) -> None:
    copy = record.ballots[1]
    proofs = list(record.ballots[3].range_proofs)
    proofs[0] = msgspec.structs.replace(proofs[0], v0=proofs[0].v1)
    tampered = replace_ballot(record, 3, range_proofs=proofs)
    tampered = msgspec.structs.replace(tampered, ballots=[*tampered.ballots, copy])
    alone = verify_record(tampered).problems
    assert len(alone) == 5
    assert verify_record(tampered, processes=2).problems == alone
    assert verify_record(record, processes=2).counts == (3, 1, 1)


def test_the_command_line_verifier_reports_and_exits_by_result(
    record: ElectionRecord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.json"
    good.write_bytes(msgspec.json.encode(record))
    assert main([str(good)]) == 0
    assert "verifies: 5 ballots; yes: 3, no: 1, abstain: 1" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_bytes(msgspec.json.encode(msgspec.structs.replace(record, result=[5, 0, 0])))
    assert main([str(bad)]) == 1
    assert "does not verify: 1 problem(s)" in capsys.readouterr().out
    assert main([str(tmp_path / "missing.json")]) == 2


def test_an_answered_challenge_verifies_and_a_false_or_missing_answer_is_named(
    record: ElectionRecord,
) -> None:
    honest = run_ceremony("verify-1", 3, 2).guardians[1].share_for(1)  # P_2(1), as the record's

    def challenged(revealed: bytes) -> ElectionRecord:
        return msgspec.structs.replace(
            record, challenges=[ShareChallengeRecord(accuser=1, accused=2, revealed=revealed)]
        )

    answered = challenged(bytes(honest))
    assert verify_record(answered).ok
    assert verify_record(msgspec.json.decode(msgspec.json.encode(answered), type=ElectionRecord)).ok
    name = "guardian 1's challenge of guardian 2's share"
    false = bytes(honest + Scalar.from_int(1))
    assert verify_record(challenged(false)).problems == [
        f"{name}: the share guardian 2 revealed for guardian 1 does not match its commitments"
    ]
    assert verify_record(challenged(b"")).problems == [
        f"{name}: never answered, yet the election key was formed"
    ]
