"""The vote recorder: a ballot's event, its spent credential and its ciphertexts in one transaction.

eventsourcing's PostgreSQL recorder runs `_insert_events` inside the same transaction as the
event rows, before it takes the table lock. Here that hook records the member's participation
(from the credential, by hash) and the ballot's ciphertexts — for every ballot of a batch: if a
member has voted already, or a ciphertext was accepted before, it raises and the whole
transaction — the ballot events included — rolls back. So under any number of simultaneous
attempts with one credential exactly one ballot is stored, and a crash can never leave a ballot
without its spent credential or a spent credential without its ballot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Cursor
from psycopg.rows import DictRow

from negotiation.domain import errors


@dataclass(frozen=True)
class Spend:
    """What a ballot's save must also do: spend this credential, claim these ciphertexts."""

    vote_id: str
    credential_hash: bytes
    alphas: list[bytes]


class BallotRecorder(PostgresApplicationRecorder):
    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        # A batch of ballots (voting/batch.py): one statement spends all their credentials,
        # one claims all their ciphertexts; if any one fails the whole transaction rolls back.
        spends: Sequence[Spend] = kwargs.get("spends", ())
        if spends:
            curs.execute(
                "INSERT INTO vote_participation (vote_id, member_id, voted_on) "
                "SELECT vote_id, member_id, current_date FROM vote_credentials "
                "WHERE credential_hash = ANY(%s) AND vote_id = %s AND NOT void "
                "ON CONFLICT DO NOTHING RETURNING 1",
                ([s.credential_hash for s in spends], spends[0].vote_id),
            )
            if len(curs.fetchall()) != len(spends):  # a hash twice in `spends` fails too
                raise errors.SecondBallot(
                    "A ballot has already been cast with this credential; each member votes once."
                )
            alphas = [a for s in spends for a in s.alphas]
            curs.execute(
                "INSERT INTO vote_ciphertexts (vote_id, alpha) SELECT %s, unnest(%s::bytea[]) "
                "ON CONFLICT DO NOTHING RETURNING 1",
                (spends[0].vote_id, alphas),
            )
            if len(curs.fetchall()) != len(alphas):
                raise errors.CopiedBallot(
                    "This ballot copies a ballot already accepted; it was not counted."
                )
        super()._insert_events(curs, stored_events, **kwargs)
