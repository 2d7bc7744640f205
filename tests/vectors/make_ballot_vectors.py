"""Writes tests/vectors/ballots.json: known answers of the ballot cryptography from fixed seeds.

Run from the repository root: `python tests/vectors/make_ballot_vectors.py`. Both the Python tests
(tests/unit/ballots/test_vectors.py) and the browser module under Node
(web/static/js/ballot-crypto.js via tests/unit/ballots/run_vectors.mjs) must reproduce every value.
All byte strings are hex; scalars are 32-byte little-endian.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from negotiation.ballots.ballot import ballot_hash, first_tracking_code
from negotiation.ballots.ceremony import (
    commitment_at,
    guardian_public_share,
    joint_public_key,
    seal_share,
)
from negotiation.ballots.context import ElectionContext, derive_nonce
from negotiation.ballots.group import (
    L,
    Point,
    Scalar,
    digest,
    encode_parts,
    hash_to_scalar,
)
from negotiation.ballots.keyfile import KeyFileSecret, lock_key_file
from negotiation.ballots.sample import cast, run_ceremony, seed
from negotiation.ballots.tally import (
    combine,
    lagrange_at_zero,
    partial_decrypt,
    sum_ballots,
)

OUT = Path(__file__).resolve().parent / "ballots.json"
ELECTION = "kat-election-1"
OPTIONS = ("yes", "no", "abstain")
CHOICES = [0, 1, 0, 2, 0]
PRESENT = (1, 3)


def h(x: bytes | Point | Scalar) -> str:
    return bytes(x).hex()


def proof(p: Any) -> dict[str, str]:
    return {"c": h(p.c), "v": h(p.v)}


def vectors() -> dict[str, Any]:
    encoding_cases = [
        ("ratify/v1/example", [b"\x00\x01", "yes", 7]),
        ("ratify/v1/example", []),
        ("ratify/v1/exampl", ["e"]),  # length prefixes: not the same input as the case above
    ]
    encoding = [
        {
            "tag": tag,
            "parts": [
                {"bytes": p.hex()}
                if isinstance(p, bytes)
                else {"str": p}
                if isinstance(p, str)
                else {"int": p}
                for p in parts
            ],
            "encoded": encode_parts(tag, parts).hex(),
            "hash_to_scalar": h(hash_to_scalar(tag, *parts)),
            "digest": digest(tag, *parts).hex(),
        }
        for tag, parts in encoding_cases
    ]
    s = seed("nonce-example")
    example = h(derive_nonce(s, "encrypt", 2))
    nonces = [{"seed": s.hex(), "labels": ["encrypt", 2], "scalar": example}]

    n, k = 3, 2
    ceremony = run_ceremony(ELECTION, n, k)
    key = joint_public_key(ceremony.announcements)
    recipient = ceremony.announcements[1]
    example_share = ceremony.guardians[0].share_for(recipient.index)
    sealed = seal_share(
        ceremony.hash, 1, recipient, example_share, Scalar.from_int(12345), bytes(range(24))
    )
    context = ElectionContext(
        ELECTION,
        digest("ratify/v1/kat-document", "TA"),
        digest("ratify/v1/kat-roll", "roll"),
        key,
        OPTIONS,
    )
    ballots = cast(context, CHOICES)
    totals = sum_ballots([b for _, b in ballots], len(OPTIONS))
    shares = [
        partial_decrypt(context.hash, i, ceremony.secret_shares[i], totals, seed(f"decrypt-{i}"))
        for i in PRESENT
    ]
    counts = combine(totals, shares, k, bound=len(ballots))
    return {
        "protocol": "ratify/v1",
        "generator": h(Point.base_times(Scalar.from_int(1))),
        "encoding": encoding,
        "nonces": nonces,
        "invalid_points": [
            "01" + "00" * 31,  # s = 1 is "negative" (odd): RFC 9496 refuses it
            "ff" * 32,  # not a reduced field element
            # the base point with its last bit flipped
            "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d77",
        ],
        # L itself and 2^256 − 1: 32 bytes, but not reduced modulo L.
        "unreduced_scalars": [L.to_bytes(32, "little").hex(), "ff" * 32],
        "ceremony": {
            "election_id": ELECTION,
            "guardians": n,
            "quorum": k,
            "hash": ceremony.hash.hex(),
            "guardian_seeds": {str(g.index): g.seed.hex() for g in ceremony.guardians},
            "announcements": [
                {
                    "index": a.index,
                    "commitments": [h(x) for x in a.commitments],
                    "coefficient_proofs": [proof(p) for p in a.coefficient_proofs],
                    "transport_key": h(a.transport_key),
                    "transport_proof": proof(a.transport_proof),
                }
                for a in ceremony.announcements
            ],
            "sealed_share": {
                "sender": 1,
                "recipient": recipient.index,
                "value": h(example_share),
                "ephemeral_secret": h(Scalar.from_int(12345)),
                "nonce": sealed.nonce.hex(),
                "ephemeral": h(sealed.ephemeral),
                "sealed": sealed.sealed.hex(),
            },
            "key_file": {
                # libsodium's minimum argon2id limits, so the check is fast; real files use
                # INTERACTIVE (2 passes, 64 MiB) and record their limits in the file.
                "election_id": ELECTION,
                "guardian": 1,
                "secret_share": h(ceremony.secret_shares[1]),
                "passphrase": "correct horse battery staple",
                "opslimit": 1,
                "memlimit": 8192,
                "salt": bytes(range(100, 116)).hex(),
                "nonce": bytes(range(24, 48)).hex(),
                "file": lock_key_file(
                    KeyFileSecret(ELECTION, 1, bytes(ceremony.secret_shares[1])),
                    "correct horse battery staple",
                    1,
                    8192,
                    salt=bytes(range(100, 116)),
                    nonce=bytes(range(24, 48)),
                ).decode(),
            },
            # The complaint round: every backup share P_i(ℓ) and the point g^{P_i(ℓ)} the
            # commitments give for it, and a forged share (P_i(ℓ) + 1) that must not match.
            "backup_shares": [
                {
                    "sender": g.index,
                    "recipient": r,
                    "value": h(g.share_for(r)),
                    "commitment_at": h(
                        commitment_at(ceremony.announcements[g.index - 1].commitments, r)
                    ),
                    "forged": h(g.share_for(r) + Scalar.from_int(1)),
                }
                for g in ceremony.guardians
                for r in range(1, n + 1)
            ],
            "secret_shares": {str(i): h(v) for i, v in ceremony.secret_shares.items()},
            "public_shares": {
                str(i): h(guardian_public_share(ceremony.announcements, i)) for i in range(1, n + 1)
            },
            "joint_public_key": h(key),
        },
        "context": {
            "election_id": ELECTION,
            "document_hash": context.document_hash.hex(),
            "roll_hash": context.roll_hash.hex(),
            "public_key": h(key),
            "options": list(OPTIONS),
            "hash": context.hash.hex(),
        },
        "first_tracking_code": first_tracking_code(context).hex(),
        "ballots": [
            {
                "seed": seed(f"ballot-{i}").hex(),
                "choice": CHOICES[i],
                "ciphertexts": [{"alpha": h(c.alpha), "beta": h(c.beta)} for c in b.ciphertexts],
                "range_proofs": [
                    {"c0": h(p.c0), "c1": h(p.c1), "v0": h(p.v0), "v1": h(p.v1)}
                    for p in b.range_proofs
                ],
                "sum_proof": proof(b.sum_proof),
                "ballot_hash": ballot_hash(context, b).hex(),
                "tracking_code": code.hex(),
            }
            for i, (code, b) in enumerate(ballots)
        ],
        "tally": {
            "ciphertexts": [{"alpha": h(c.alpha), "beta": h(c.beta)} for c in totals],
            "decryption_shares": [
                {
                    "guardian": s.guardian,
                    "secret_share": h(ceremony.secret_shares[s.guardian]),
                    "seed": seed(f"decrypt-{s.guardian}").hex(),
                    "shares": [h(m) for m in s.shares],
                    "proofs": [proof(p) for p in s.proofs],
                }
                for s in shares
            ],
            "lagrange": {str(i): h(lagrange_at_zero(i, PRESENT)) for i in PRESENT},
            "result": list(counts),
        },
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(vectors(), indent=1) + "\n")
    print(f"wrote {OUT}")
