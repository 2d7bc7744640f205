"""The audit history: every recorded event, described, attributed, and hash-chained.

schema (the table), labels (who may read an entry), chain (the hash), projection (writing
it), verification (checking it), queries (reading it); votes (each ratification vote's own
chain, hanging by hash from the entry that called it) and vote_projection (writing those, from
the votes' event table).

Hash chain (tamper evidence), over the whole log in position order, all negotiations together:

    hash_n = sha256(hash_{n-1} || position (8 bytes, big-endian) || originator_id (UUID text,
                    UTF-8) || originator_version (8 bytes, big-endian) || topic (UTF-8) || state)

with 32 zero bytes before the first event. The chain covers the stored event bytes exactly as
recorded, so `verify_chain` recomputes it from the event table alone and compares it with the
log; the current head (position + hash) is published so copies of it live outside the system
(a log truncated or rewritten from some point on no longer ends in a head anyone has seen).

Each row's `visibility` label is decided by `negotiation.domain.visibility` (DOMAIN.md "Who sees
what"; `labels_seen_by` there says which labels an audience reads) and fixed when the event is
recorded:
    public   status anyone may see (negotiation, teams, ground rules, articles opened, session
             schedule and status, the whole TA)
    members  unit members, both teams and officials (late-article requests; acts exchanged in
             writing between sessions; acts in members-only sessions)
    teams    both teams only (acts in closed sessions)
    union / employer   that team only (drafts and private team notes)
Acts in a session take the visibility that session had then (`follows_session` marks them); a
later change of the session's visibility labels only what is recorded after it.
"""

from projections.audit.chain import ZERO_HASH, chain_hash
from projections.audit.projection import AuditProjection
from projections.audit.queries import (
    MAX_LIMIT,
    AuditEntry,
    AuditFilters,
    entry_phrases,
    list_entries,
    stream_entries,
)
from projections.audit.schema import FILTER_INDEXES, partition_starts
from projections.audit.verification import VerifyResult, chain_head, verify_chain

__all__ = [
    "FILTER_INDEXES",
    "MAX_LIMIT",
    "ZERO_HASH",
    "AuditEntry",
    "AuditFilters",
    "AuditProjection",
    "VerifyResult",
    "chain_hash",
    "chain_head",
    "entry_phrases",
    "list_entries",
    "partition_starts",
    "stream_entries",
    "verify_chain",
]
