"""What the officials' and voters' browsers do, in Python, over the HTTP API (tests and bench).

docs/RATIFICATION-API.md is the contract; this module follows it with `httpx`, and the
cryptography of negotiation/ballots, as ballot-crypto.js does in the browser.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import msgspec

from negotiation.ballots.ballot import encrypt_ballot
from negotiation.ballots.ceremony import (
    CeremonyError,
    EncryptedShare,
    Guardian,
    GuardianAnnouncement,
    seal_share,
)
from negotiation.ballots.context import ElectionContext
from negotiation.ballots.group import Point, Scalar
from negotiation.ballots.record import (
    BallotSubmission,
    CiphertextRecord,
    GuardianRecord,
    ballot_record,
    ciphertext_from,
    guardian_from,
    guardian_record,
    share_record,
)
from negotiation.ballots.tally import partial_decrypt


def wire(struct: Any) -> Any:
    """A struct as the JSON the browser sends (bytes as base64)."""
    return msgspec.json.decode(msgspec.json.encode(struct))


def context_from(view: dict[str, Any]) -> ElectionContext:
    """The election context from GET .../ballot, checked against the server's own hash."""
    decode = msgspec.convert(view, dict[str, Any])
    as_bytes = {
        k: msgspec.convert(decode[k], bytes)
        for k in ("document_hash", "roll_hash", "public_key", "context_hash")
    }
    context = ElectionContext(
        view["election_id"],
        as_bytes["document_hash"],
        as_bytes["roll_hash"],
        Point.from_bytes(as_bytes["public_key"]),
        tuple(view["options"]),
    )
    if context.hash != as_bytes["context_hash"]:
        raise ValueError("the server's election context differs from the one computed here")
    return context


def make_submission(context: ElectionContext, choice: int, seed: bytes | None = None) -> Any:
    record = ballot_record(b"", encrypt_ballot(context, choice, seed or os.urandom(32)))
    return wire(BallotSubmission(record.ciphertexts, record.range_proofs, record.sum_proof))


@dataclass
class Official:
    """One election official's browser: its guardian secrets and, after the ceremony, its share."""

    headers: dict[str, str]
    index: int = 0
    guardian: Guardian | None = None
    secret_share: Scalar | None = None
    seen: dict[str, Any] = field(default_factory=dict)


def _check(response: Any, status: int = 200) -> Any:
    if response.status_code != status:
        raise AssertionError((response.status_code, response.text))
    return (
        response.json()
        if response.headers.get("content-type", "").startswith("application/json")
        else response.text
    )


def announce_guardians(
    client: Any, base: str, officials: list[Official]
) -> list[GuardianAnnouncement]:
    """Every official makes its guardian secrets and announces; the announcements, as served."""
    for official in officials:
        view = _check(client.get(f"{base}/ceremony", headers=official.headers))
        official.index = view["me"]
        ceremony = msgspec.convert(view["ceremony_hash"], bytes)
        official.guardian = Guardian(ceremony, view["me"], view["quorum"], os.urandom(32))
        record = guardian_record(official.guardian.announcement())
        _check(
            client.post(
                f"{base}/ceremony/announcement", headers=official.headers, json=wire(record)
            )
        )
    view = _check(client.get(f"{base}/ceremony", headers=officials[0].headers))
    return [guardian_from(msgspec.convert(a, GuardianRecord)) for a in view["announcements"]]


def post_shares(
    client: Any,
    base: str,
    official: Official,
    announcements: list[GuardianAnnouncement],
    forge_for: int | None = None,
) -> None:
    """Seal P_i(ℓ) to every guardian ℓ; `forge_for`: seal a wrong share to that one (tests)."""
    assert official.guardian is not None
    shares = []
    for a in announcements:
        if a.index == forge_for:
            value = official.guardian.share_for(a.index) + Scalar.from_int(1)
            sealed = seal_share(official.guardian.ceremony, official.index, a, value)
        else:
            sealed = official.guardian.encrypted_share_for(a)
        shares.append(
            {
                "recipient": sealed.recipient,
                "ephemeral": bytes(sealed.ephemeral),
                "nonce": sealed.nonce,
                "sealed": sealed.sealed,
            }
        )
    _check(
        client.post(
            f"{base}/ceremony/shares", headers=official.headers, json=wire({"shares": shares})
        )
    )


def open_shares(
    client: Any, base: str, official: Official, announcements: list[GuardianAnnouncement]
) -> list[int]:
    """Open and check the shares sent to this official; the senders of those that fail (the
    ones to challenge). The good ones, with any revealed share, sum to its secret share."""
    assert official.guardian is not None
    view = _check(client.get(f"{base}/ceremony", headers=official.headers))
    revealed = {
        ch["accused"]: Scalar.from_bytes(msgspec.convert(ch["revealed"], bytes))
        for ch in view["challenges"]
        if ch["accuser"] == official.index and ch["revealed"]
    }
    total, failed = Scalar.from_int(0), []
    for s in view["shares_for_me"]:
        if s["sender"] in revealed:
            total = total + revealed[s["sender"]]
            continue
        share = EncryptedShare(
            s["sender"],
            s["recipient"],
            Point.from_bytes(msgspec.convert(s["ephemeral"], bytes)),
            msgspec.convert(s["nonce"], bytes),
            msgspec.convert(s["sealed"], bytes),
        )
        try:
            total = total + official.guardian.open_share(share, announcements[s["sender"] - 1])
        except CeremonyError:
            failed.append(s["sender"])
    official.secret_share = total
    return failed


def run_ceremony(client: Any, base: str, officials: list[Official]) -> bytes:
    """Every official announces, posts its sealed shares, opens and confirms the ones it
    received; then the key."""
    announcements = announce_guardians(client, base, officials)
    for official in officials:
        post_shares(client, base, official, announcements)
    for official in officials:
        assert open_shares(client, base, official, announcements) == []
        _check(client.post(f"{base}/ceremony/confirm", headers=official.headers))
    done = _check(client.post(f"{base}/ceremony/key", headers=officials[0].headers))
    return msgspec.convert(done["public_key"], bytes)


def decrypt(client: Any, base: str, official: Official, context: ElectionContext) -> None:
    assert official.secret_share is not None
    tally = _check(client.get(f"{base}/tally", headers=official.headers))
    totals = tuple(ciphertext_from(msgspec.convert(t, CiphertextRecord)) for t in tally["tally"])
    share = partial_decrypt(
        context.hash, official.index, official.secret_share, totals, os.urandom(32)
    )
    _check(
        client.post(f"{base}/decryptions", headers=official.headers, json=wire(share_record(share)))
    )
