"""Ballot proofs accept honest ballots and refuse every kind of forgery we could think of."""

import hashlib
import os
from dataclasses import replace

import pytest

from negotiation.ballots.ballot import EncryptedBallot, ballot_problems, encrypt_ballot
from negotiation.ballots.context import ElectionContext
from negotiation.ballots.elgamal import add_all, encrypt
from negotiation.ballots.group import G, Point, Scalar
from negotiation.ballots.proofs import (
    prove_decryption,
    prove_range01,
    prove_schnorr,
    prove_sum,
    verify_decryption,
    verify_range01,
    verify_schnorr,
)

SECRET = Scalar.random()
KEY = Point.base_times(SECRET)
CONTEXT = ElectionContext(
    "election-1",
    hashlib.sha256(b"the TA").digest(),
    hashlib.sha256(b"the certified roll").digest(),
    KEY,
    ("yes", "no", "abstain"),
)
Q = CONTEXT.hash


def r() -> Scalar:
    return Scalar.random()


def forged_ballot(selections: list[int]) -> EncryptedBallot:
    """A ballot with any selections, each with the best proof its maker can produce."""
    cts, proofs, nonces = [], [], []
    for j, m in enumerate(selections):
        n = r()
        ct = encrypt(KEY, m, n)
        # For m ∉ {0, 1} the maker runs the prover as if m were the nearest of 0 and 1.
        claimed = 1 if m >= 1 else 0
        proofs.append(prove_range01(Q, j, KEY, ct, claimed, n, r(), r(), r()))
        cts.append(ct)
        nonces.append(n)
    total = nonces[0]
    for n in nonces[1:]:
        total = total + n
    sum_proof = prove_sum(Q, KEY, add_all(cts), 1, total, r())
    return EncryptedBallot(tuple(cts), tuple(proofs), sum_proof)


@pytest.mark.parametrize("choice", [0, 1, 2])
def test_an_honest_ballot_verifies(choice: int) -> None:
    assert ballot_problems(CONTEXT, encrypt_ballot(CONTEXT, choice, os.urandom(32))) == []


def test_a_selection_of_two_is_refused_by_its_range_proof() -> None:
    problems = ballot_problems(CONTEXT, forged_ballot([2, 0, 0]))
    assert "the proof that the selection for 'yes' is 0 or 1 does not verify" in problems


def test_a_negative_selection_balancing_another_is_refused_though_the_sum_is_one() -> None:
    # [2, -1, 0] sums to one: its sum proof holds, so only the range proofs can catch it.
    problems = ballot_problems(CONTEXT, forged_ballot([2, -1, 0]))
    assert problems == [
        "the proof that the selection for 'yes' is 0 or 1 does not verify",
        "the proof that the selection for 'no' is 0 or 1 does not verify",
    ]


def test_two_selections_are_refused_by_the_sum_proof() -> None:
    problems = ballot_problems(CONTEXT, forged_ballot([1, 1, 0]))
    assert problems == ["the proof that exactly one option is selected does not verify"]


def test_no_selection_is_refused_by_the_sum_proof() -> None:
    problems = ballot_problems(CONTEXT, forged_ballot([0, 0, 0]))
    assert problems == ["the proof that exactly one option is selected does not verify"]


def test_swapped_challenges_are_refused() -> None:
    b = encrypt_ballot(CONTEXT, 0, os.urandom(32))
    p = b.range_proofs[1]
    proofs = (b.range_proofs[0], replace(p, c0=p.c1, c1=p.c0), b.range_proofs[2])
    swapped = replace(b, range_proofs=proofs)
    assert ballot_problems(CONTEXT, swapped) == [
        "the proof that the selection for 'no' is 0 or 1 does not verify"
    ]


def test_a_ballot_for_another_context_is_refused() -> None:
    b = encrypt_ballot(CONTEXT, 1, os.urandom(32))
    other_text = replace(CONTEXT, document_hash=hashlib.sha256(b"another TA").digest())
    other_election = replace(CONTEXT, election_id="election-2")
    other_key = replace(CONTEXT, public_key=Point.base_times(r()))
    other_roll = replace(CONTEXT, roll_hash=hashlib.sha256(b"another roll").digest())
    for context in (other_text, other_election, other_key, other_roll):
        assert len(ballot_problems(context, b)) == 4


def test_proofs_moved_between_options_are_refused() -> None:
    b = encrypt_ballot(CONTEXT, 0, os.urandom(32))
    moved = replace(
        b,
        ciphertexts=(b.ciphertexts[1], b.ciphertexts[0], b.ciphertexts[2]),
        range_proofs=(b.range_proofs[1], b.range_proofs[0], b.range_proofs[2]),
    )
    assert len(ballot_problems(CONTEXT, moved)) == 2


def test_a_ciphertext_rerandomised_under_an_old_proof_is_refused() -> None:
    b = encrypt_ballot(CONTEXT, 0, os.urandom(32))
    s = r()
    ct = b.ciphertexts[0]
    moved = type(ct)(ct.alpha + Point.base_times(s), ct.beta + KEY * s)
    p = b.range_proofs[0]
    adjusted = replace(p, v0=p.v0 + p.c0 * s, v1=p.v1 + p.c1 * s)
    assert not verify_range01(Q, 0, KEY, moved, adjusted)


def test_a_ballot_with_the_wrong_number_of_selections_is_refused() -> None:
    b = encrypt_ballot(CONTEXT, 0, os.urandom(32))
    short = replace(b, ciphertexts=b.ciphertexts[:2], range_proofs=b.range_proofs[:2])
    assert ballot_problems(CONTEXT, short) == [
        "the ballot must carry one encrypted selection per option (3)"
    ]


def test_a_decryption_proof_refuses_a_wrong_share_and_another_guardian() -> None:
    ct = encrypt(KEY, 1, r())
    share, proof = prove_decryption(Q, 1, SECRET, ct, r())
    assert verify_decryption(Q, 1, KEY, ct, share, proof)
    assert not verify_decryption(Q, 1, KEY, ct, share + G, proof)
    assert not verify_decryption(Q, 2, KEY, ct, share, proof)
    assert not verify_decryption(Q, 1, Point.base_times(r()), ct, share, proof)


def test_a_schnorr_proof_refuses_another_key_label_or_context() -> None:
    a = r()
    proof = prove_schnorr(b"ceremony", (1, 0), a, r())
    assert verify_schnorr(b"ceremony", (1, 0), Point.base_times(a), proof)
    assert not verify_schnorr(b"ceremony", (1, 0), Point.base_times(r()), proof)
    assert not verify_schnorr(b"ceremony", (2, 0), Point.base_times(a), proof)
    assert not verify_schnorr(b"another", (1, 0), Point.base_times(a), proof)
    assert not verify_schnorr(b"ceremony", (1, 0), Point.identity(), proof)
