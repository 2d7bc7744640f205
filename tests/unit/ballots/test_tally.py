"""Threshold decryption: any k of n guardians decrypt the tally; k−1 cannot, and learn nothing."""

import itertools
import os

import pytest

from negotiation.ballots.ballot import encrypt_ballot
from negotiation.ballots.ceremony import evaluate, guardian_public_share, joint_public_key
from negotiation.ballots.context import ElectionContext
from negotiation.ballots.elgamal import DiscreteLogNotFound, discrete_log
from negotiation.ballots.group import Point, Scalar
from negotiation.ballots.sample import run_ceremony
from negotiation.ballots.tally import (
    RunningTally,
    TallyError,
    combine,
    lagrange_at_zero,
    partial_decrypt,
    share_problems,
    sum_ballots,
)

OPTIONS = ("yes", "no", "abstain")
CHOICES = [0, 0, 1, 2, 0, 1, 0]
EXPECTED = (4, 2, 1)


def election(n: int, k: int):  # type: ignore[no-untyped-def]
    c = run_ceremony(f"tally-{n}-{k}", n, k)
    context = ElectionContext(
        f"tally-{n}-{k}", bytes(32), bytes(32), joint_public_key(c.announcements), OPTIONS
    )
    totals = sum_ballots(
        [encrypt_ballot(context, ch, os.urandom(32)) for ch in CHOICES], len(OPTIONS)
    )
    shares = {
        i: partial_decrypt(context.hash, i, c.secret_shares[i], totals, os.urandom(32))
        for i in range(1, n + 1)
    }
    return c, context, totals, shares


@pytest.mark.parametrize(("n", "k"), [(3, 2), (5, 3), (3, 3), (1, 1)])
def test_any_k_of_n_guardians_decrypt_the_tally(n: int, k: int) -> None:
    c, context, totals, shares = election(n, k)
    for present in itertools.combinations(range(1, n + 1), k):
        for i in present:
            public = guardian_public_share(c.announcements, i)
            assert share_problems(context.hash, public, totals, shares[i]) == []
        assert combine(totals, [shares[i] for i in present], k, len(CHOICES)) == EXPECTED


def test_k_minus_one_guardians_are_refused() -> None:
    _, _, totals, shares = election(3, 2)
    with pytest.raises(TallyError, match="needs 2 guardians; 1 took part"):
        combine(totals, [shares[3]], 2, len(CHOICES))
    with pytest.raises(TallyError, match="counts once"):
        combine(totals, [shares[3], shares[3]], 2, len(CHOICES))


def test_k_minus_one_shares_interpolated_anyway_do_not_decrypt() -> None:
    # Lagrange over only k−1 = 2 of a 3-of-5 sharing yields a wrong key: the totals are not found.
    _, _, totals, shares = election(5, 3)
    lambdas = {i: lagrange_at_zero(i, (2, 4)) for i in (2, 4)}
    m = shares[2].shares[0] * lambdas[2] + shares[4].shares[0] * lambdas[4]
    with pytest.raises(DiscreteLogNotFound):
        discrete_log(totals[0].beta - m, len(CHOICES))


def test_k_minus_one_shares_are_consistent_with_every_possible_secret() -> None:
    # The algebra behind secrecy: guardian 1's share s_1 = P(1) of a degree-1 P (2-of-3). For ANY
    # candidate secret s', the line through (0, s') and (1, s_1) is a valid sharing: one share
    # alone rules out no secret, so it tells nothing about the real one.
    c = run_ceremony("secrecy", 3, 2)
    s1 = c.secret_shares[1]
    for candidate in (Scalar.from_int(0), Scalar.random(), Scalar.random()):
        slope = s1 - candidate
        line = (candidate, slope)
        assert evaluate(line, 1) == s1
        assert evaluate(line, 0) == candidate


def test_a_guardian_share_with_a_bad_proof_is_named_by_option() -> None:
    c, context, totals, shares = election(3, 2)
    bad = shares[2]
    tampered = type(bad)(bad.guardian, (bad.shares[0], bad.shares[0], bad.shares[2]), bad.proofs)
    public = guardian_public_share(c.announcements, 2)
    assert share_problems(context.hash, public, totals, tampered) == [1]


def test_lagrange_coefficients_at_zero_sum_to_one() -> None:
    present = (1, 3, 4)
    total = Scalar.from_int(0)
    for i in present:
        total = total + lagrange_at_zero(i, present)
    assert total == Scalar.from_int(1)
    assert Point.base_times(total) == Point.base_times(Scalar.from_int(1))


def test_a_running_tally_equals_the_sum_at_close() -> None:
    c = run_ceremony("running", 3, 2)
    key = joint_public_key(c.announcements)
    context = ElectionContext("running", bytes(32), bytes(32), key, OPTIONS)
    ballots = [encrypt_ballot(context, ch, os.urandom(32)) for ch in CHOICES]
    running = RunningTally.empty(len(OPTIONS))
    for b in ballots:
        running = running.add(b)
    assert running.totals == sum_ballots(ballots, len(OPTIONS))
    assert running.ballots == len(CHOICES)
    with pytest.raises(TallyError, match="another number of options"):
        RunningTally.empty(2).add(ballots[0])
