"""The group layer refuses bad encodings; ElGamal adds; the discrete log finds roll-sized totals."""

import json
from pathlib import Path

import pytest

from negotiation.ballots.elgamal import (
    Ciphertext,
    DiscreteLogNotFound,
    add_all,
    discrete_log,
    encrypt,
)
from negotiation.ballots.group import (
    G,
    InvalidEncoding,
    L,
    Point,
    Scalar,
    encode_parts,
    hash_to_scalar,
)

VECTORS = json.loads((Path(__file__).parents[2] / "vectors" / "ballots.json").read_text())


@pytest.mark.parametrize("encoded", VECTORS["invalid_points"])
def test_invalid_point_encodings_are_refused(encoded: str) -> None:
    with pytest.raises(InvalidEncoding):
        Point.from_bytes(bytes.fromhex(encoded))


@pytest.mark.parametrize("encoded", VECTORS["unreduced_scalars"])
def test_unreduced_scalars_are_refused(encoded: str) -> None:
    with pytest.raises(InvalidEncoding):
        Scalar.from_bytes(bytes.fromhex(encoded))


def test_wrong_lengths_and_unreduced_scalars_are_refused() -> None:
    with pytest.raises(InvalidEncoding):
        Point.from_bytes(bytes(G)[:31])
    with pytest.raises(InvalidEncoding):
        Scalar.from_bytes(L.to_bytes(32, "little"))
    assert Scalar.from_bytes((L - 1).to_bytes(32, "little")) == Scalar.from_int(-1)


def test_multiplying_by_zero_gives_the_identity_which_adds_as_zero() -> None:
    zero = G * Scalar.from_int(0)
    assert zero.is_identity()
    assert zero + G == G
    assert Point.from_bytes(bytes(zero)).is_identity()


def test_length_prefixes_keep_different_statements_apart() -> None:
    assert encode_parts("ab", ["c"]) != encode_parts("a", ["bc"])
    assert hash_to_scalar("t", b"\x01", b"") != hash_to_scalar("t", b"", b"\x01")


def test_ciphertexts_add_to_an_encryption_of_the_sum() -> None:
    secret = Scalar.random()
    key = Point.base_times(secret)
    cts = [encrypt(key, m, Scalar.random()) for m in (1, 0, 1, 1)]
    total = add_all(cts)
    assert discrete_log(total.beta - total.alpha * secret, bound=4) == 3


def test_ciphertext_bytes_round_trip() -> None:
    ct = encrypt(Point.base_times(Scalar.random()), 1, Scalar.random())
    assert Ciphertext.from_bytes(ct.to_bytes()) == ct


@pytest.mark.parametrize("total", [0, 1, 316, 317, 99_999, 100_000, 123_457])
def test_discrete_log_recovers_totals_up_to_the_roll_size(total: int) -> None:
    assert discrete_log(Point.base_times(Scalar.from_int(total)), bound=123_457) == total


def test_a_total_above_the_bound_is_not_found() -> None:
    with pytest.raises(DiscreteLogNotFound):
        discrete_log(Point.base_times(Scalar.from_int(1001)), bound=1000)
