"""The key ceremony: proofs and shares are checked, shares are sealed to their recipient only,
and a guardian's key file opens with its passphrase and nothing else."""

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from negotiation.ballots.ceremony import (
    CeremonyError,
    Guardian,
    ceremony_hash,
    check_announcement,
    check_revealed_share,
    commitment_at,
    joint_public_key,
    seal_share,
    share_matches,
)
from negotiation.ballots.group import G, Point, Scalar
from negotiation.ballots.keyfile import KeyFileSecret, lock_key_file, unlock_key_file
from negotiation.ballots.sample import run_ceremony

VECTORS = Path(__file__).parents[2] / "vectors" / "ballots.json"
N, K = 3, 2
HASH = ceremony_hash("election-1", N, K)


def guardians() -> list[Guardian]:
    return [Guardian(HASH, i, K, os.urandom(32)) for i in range(1, N + 1)]


def test_the_joint_key_is_the_secret_all_shares_reconstruct() -> None:
    c = run_ceremony("election-1", N, K)
    secret = Scalar.from_int(0)
    for g in c.guardians:
        secret = secret + g.coefficients[0]
    assert joint_public_key(c.announcements) == Point.base_times(secret)


def test_honest_announcements_pass_and_a_forged_commitment_is_refused() -> None:
    a = guardians()[0].announcement()
    check_announcement(HASH, K, a)
    forged = replace(a, commitments=(Point.base_times(Scalar.random()), a.commitments[1]))
    with pytest.raises(CeremonyError, match="guardian 1's proof for coefficient 0"):
        check_announcement(HASH, K, forged)
    with pytest.raises(CeremonyError, match="exactly 2 coefficients"):
        check_announcement(HASH, K, replace(a, commitments=a.commitments[:1]))


def test_a_proof_from_another_ceremony_is_refused() -> None:
    a = guardians()[0].announcement()
    with pytest.raises(CeremonyError):
        check_announcement(ceremony_hash("election-2", N, K), K, a)


def test_a_tampered_share_is_refused_naming_its_sender() -> None:
    g1, g2, _ = guardians()
    a1, a2 = g1.announcement(), g2.announcement()
    sealed = g1.encrypted_share_for(a2)
    assert g2.open_share(sealed, a1) == g1.share_for(2)
    flipped = bytes([sealed.sealed[0] ^ 1]) + sealed.sealed[1:]
    with pytest.raises(CeremonyError, match="from guardian 1 does not decrypt"):
        g2.open_share(replace(sealed, sealed=flipped), a1)


def test_a_share_that_does_not_match_the_commitments_is_refused() -> None:
    g1, g2, _ = guardians()
    a1, a2 = g1.announcement(), g2.announcement()
    assert share_matches(a1.commitments, 2, g1.share_for(2))
    assert not share_matches(a1.commitments, 2, g1.share_for(2) + Scalar.from_int(1))
    wrong = seal_share(HASH, 1, a2, g1.share_for(2) + Scalar.from_int(1))
    with pytest.raises(CeremonyError, match="does not match its commitments"):
        g2.open_share(wrong, a1)


def test_only_the_recipient_can_open_a_share_and_relabelling_it_fails() -> None:
    g1, g2, g3 = guardians()
    a1, a2 = g1.announcement(), g2.announcement()
    sealed = g1.encrypted_share_for(a2)
    with pytest.raises(CeremonyError):
        g3.open_share(replace(sealed, recipient=3), a1)  # the server passes it to guardian 3
    with pytest.raises(CeremonyError):
        g2.open_share(replace(sealed, sender=3), g3.announcement())  # or claims another sender
    assert bytes(g1.share_for(2)) not in sealed.sealed  # what the server relays is sealed


def test_the_key_file_opens_with_its_passphrase_only() -> None:
    secret = KeyFileSecret("election-1", 2, bytes(Scalar.random()))
    data = lock_key_file(secret, "a long passphrase here")
    assert secret.secret_share not in data
    assert unlock_key_file(data, "a long passphrase here") == secret
    with pytest.raises(CeremonyError, match="passphrase is wrong"):
        unlock_key_file(data, "a long passphrase HERE")
    with pytest.raises(CeremonyError, match="not a guardian key file"):
        unlock_key_file(b'{"hello": 1}', "a long passphrase here")


def test_a_key_file_asking_for_absurd_memory_is_refused() -> None:
    data = lock_key_file(KeyFileSecret("e", 1, bytes(G)), "a long passphrase here")
    greedy = data.replace(b'"memlimit":67108864', b'"memlimit":68719476736')
    assert greedy != data
    with pytest.raises(CeremonyError, match="out of range"):
        unlock_key_file(greedy, "a long passphrase here")


def test_a_short_passphrase_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 12 characters"):
        lock_key_file(KeyFileSecret("e", 1, bytes(G)), "short")


def test_the_key_file_vector_opens_here_too() -> None:
    # The browser module writes the same bytes (tests/unit/ballots/vector_checks.mjs).
    v = json.loads(VECTORS.read_text())["ceremony"]["key_file"]
    opened = unlock_key_file(v["file"].encode(), v["passphrase"])
    share = bytes.fromhex(v["secret_share"])
    assert opened == KeyFileSecret(v["election_id"], v["guardian"], share)


# ------------------------------------------------------------------ the complaint round
def test_every_known_backup_share_passes_and_its_forgery_is_caught() -> None:
    c = json.loads(VECTORS.read_text())["ceremony"]
    by_index = {a["index"]: a for a in c["announcements"]}
    for r in c["backup_shares"]:
        sender = by_index[r["sender"]]
        commitments = tuple(Point.from_bytes(bytes.fromhex(k)) for k in sender["commitments"])
        announcement = replace(
            Guardian(HASH, r["sender"], K, bytes(32)).announcement(), commitments=commitments
        )
        check_revealed_share(announcement, r["recipient"], Scalar(bytes.fromhex(r["value"])))
        assert bytes(commitment_at(commitments, r["recipient"])).hex() == r["commitment_at"]
        with pytest.raises(CeremonyError, match=f"guardian {r['sender']} revealed for"):
            check_revealed_share(announcement, r["recipient"], Scalar(bytes.fromhex(r["forged"])))


def test_a_forged_backup_share_is_caught_and_only_the_honest_reveal_resolves_it() -> None:
    g1, g2, _ = guardians()
    a1, a2 = g1.announcement(), g2.announcement()
    # Guardian 1 seals a share that is not P_1(2): it opens, but fails Feldman's check.
    forged = seal_share(HASH, 1, a2, g1.share_for(2) + Scalar.from_int(7))
    with pytest.raises(CeremonyError, match="from guardian 1 does not match its commitments"):
        g2.open_share(forged, a1)
    # Guardian 2 challenges; the honest answer P_1(2) passes the public check...
    check_revealed_share(a1, 2, g1.share_for(2))
    # ... a false one (the forged value, or the share meant for another guardian) does not.
    for false in (g1.share_for(2) + Scalar.from_int(7), g1.share_for(3)):
        with pytest.raises(CeremonyError, match="guardian 1 revealed for guardian 2"):
            check_revealed_share(a1, 2, false)
