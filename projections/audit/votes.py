"""A ratification vote's own audit chain: every step of the vote, hash-chained from the
negotiation's chain.

A vote's events live in their own stream and table (`votes_events`, negotiation/voting), not in
the negotiation's log, so they are not positions of the negotiation's chain. Joining that chain
would need one order across two tables that nothing records, and would put a national vote's
100,000 ballots into every negotiation's history and rebuild. Each vote gets a second chain
instead, linked by hash:

    hash_0 = the negotiation chain's hash at the RatificationVoteCalled event naming the vote
    hash_v = chain_hash(hash_{v-1}, v, vote id, v, topic, state)   for each version v = 1, 2, …

(`chain_hash` as in projections.audit.chain, over the vote's event exactly as stored, with its
version as position.) Altering the negotiation's history up to the call, or any vote event,
changes every vote hash after it; `verify_vote_chain` recomputes it from the two event tables
alone and compares it with `vote_audit_log`.

The rows are a projection (projections/audit/vote_projection.py): written in the background as
the vote's events are recorded, by whoever writes the other projections, so a read after
100,000 ballots is a query (`vote_chains_reached` waits for the events recorded before it). The
descriptions say what happened and
who did it, never to whom a ballot belongs: ballots are counted (and named by their public
tracking codes), a reissued credential names no member, and every vote event carries the day
only (ratification.Vote.Event), which is all the entry shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from negotiation.ballots.ballot import display_tracking_code
from negotiation.domain.visibility import VOTE_AUDIT_LABEL
from projections.audit.chain import chain_hash
from projections.describe import N_, Phrase, from_json, render, sentence
from projections.events import EVENTS_TABLE

VOTES_TABLE = "votes_events"
SCHEMA = """
CREATE TABLE IF NOT EXISTS vote_audit_log (
    vote_id text COLLATE "C" NOT NULL,
    version integer NOT NULL,
    event_type text COLLATE "C" NOT NULL,
    actor_name text,
    at timestamptz NOT NULL,
    description text NOT NULL,
    message text,  -- the description as a phrase to translate (projections.describe.to_json)
    hash bytea NOT NULL,
    prev_hash bytea NOT NULL,
    run integer NOT NULL,  -- a step's own version; for a ballot, the first of its run of ballots
    PRIMARY KEY (vote_id, version)
)
"""
# How far the chains are: a notification id of VOTES_TABLE, so not a row of projection_positions
# (whose positions are the negotiation log's).
POSITION_SCHEMA = """
CREATE TABLE IF NOT EXISTS vote_audit_position (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    position bigint NOT NULL
);
INSERT INTO vote_audit_position (position) VALUES (0) ON CONFLICT DO NOTHING;
"""
CATCH_UP_PAGE = 5_000
state_decoder = msgspec.msgpack.Decoder(dict[str, Any])
_SELECT_VOTE_EVENTS = (
    f"SELECT originator_version, topic, state FROM {VOTES_TABLE} WHERE originator_id = $1 "
    "AND originator_version > $2 ORDER BY originator_version LIMIT $3"
)


class VoteAuditEntry(msgspec.Struct, frozen=True):
    """One step of a vote, or a run of consecutive accepted ballots (`first`..`last`)."""

    vote_id: str
    first: int
    last: int
    event_type: str
    count: int
    actor_name: str | None
    first_at: datetime
    last_at: datetime
    description: str
    hash: str  # after `last`
    visibility: str = VOTE_AUDIT_LABEL


class VoteVerifyResult(msgspec.Struct, frozen=True):
    ok: bool
    checked: int
    first_problem_version: int | None
    problem: str | None  # in English (the API)
    head_version: int
    head_hash: str
    problem_phrase: Phrase | None = None  # the same, for a page in the reader's language


class VoteCall(msgspec.Struct, frozen=True):
    """Where a vote's chain hangs from: the negotiation's entry that called it."""

    vote_id: UUID
    position: int
    hash: bytes


async def votes_called(conn: asyncpg.Connection, negotiation_id: str) -> list[VoteCall]:
    """The negotiation's votes, oldest first, with the audit entries that called them."""
    rows = await conn.fetch(
        "SELECT position, hash FROM audit_log WHERE negotiation_id = $1 "
        "AND event_type = 'RatificationVoteCalled' ORDER BY position",
        negotiation_id,
    )
    states = {
        r[0]: r[1]
        for r in await conn.fetch(
            f"SELECT notification_id, state FROM {EVENTS_TABLE} "
            "WHERE notification_id = ANY($1::bigint[])",
            [r[0] for r in rows],
        )
    }
    return [
        VoteCall(UUID(str(state_decoder.decode(states[p]).get("vote_id"))), p, bytes(digest))
        for p, digest in rows
        if p in states
    ]


async def anchor(conn: asyncpg.Connection, negotiation_id: str, vote_id: UUID) -> bytes | None:
    """The negotiation chain's hash at the event that called this vote (None: not yet there)."""
    for call in await votes_called(conn, negotiation_id):
        if call.vote_id == vote_id:
            return call.hash
    return None


async def vote_negotiation(conn: asyncpg.Connection, vote_id: UUID) -> str | None:
    """The negotiation a vote was called in, from the vote's first event."""
    state = await conn.fetchval(
        f"SELECT state FROM {VOTES_TABLE} WHERE originator_id = $1 AND originator_version = 1",
        vote_id,
    )
    return None if state is None else str(state_decoder.decode(state).get("negotiation_id"))


async def vote_officials(conn: asyncpg.Connection, vote_id: UUID) -> set[str]:
    """The account ids of the vote's election officials, as last appointed."""
    state = await conn.fetchval(
        f"SELECT state FROM {VOTES_TABLE} WHERE originator_id = $1 "
        "AND topic LIKE '%ElectionOfficialsAppointed' ORDER BY originator_version DESC LIMIT 1",
        vote_id,
    )
    if state is None:
        return set()
    return {str(o.get("account_id")) for o in state_decoder.decode(state).get("officials", [])}


# Consecutive accepted ballots are one row of the listing (the chain still has each): the runs
# are counted over small columns, then only each run's first and last rows are read.
_RUNS = (
    "SELECT run, max(version) AS last, count(*) AS count, min(at) AS first_at, "
    "max(at) AS last_at FROM vote_audit_log WHERE vote_id = $1 GROUP BY run ORDER BY run"
)
_ENDS = (
    "SELECT version, event_type, actor_name, description, message, hash FROM vote_audit_log "
    "WHERE vote_id = $1 AND version = ANY($2::integer[])"
)


class VoteEntries(msgspec.Struct, frozen=True):
    """A vote's listing, and what each entry says (by its `first` step) as a phrase to
    translate; an entry chained before steps had phrases has none (its description is
    English until `negotiation rebuild`)."""

    entries: list[VoteAuditEntry]
    phrases: dict[int, Phrase]


async def list_vote_entries(pool: asyncpg.Pool, vote_id: UUID) -> VoteEntries:
    runs = await pool.fetch(_RUNS, vote_id.hex)
    wanted = sorted({r["run"] for r in runs} | {r["last"] for r in runs})
    ends = {r["version"]: r for r in await pool.fetch(_ENDS, vote_id.hex, wanted)}
    said = {v: from_json(r["message"]) for v, r in ends.items() if r["message"] is not None}
    entries, phrases = [], {}
    for run in runs:
        first, last = ends[run["run"]], ends[run["last"]]
        phrase = _said(first, run, said.get(first["version"]), said.get(last["version"]))
        if phrase is not None:
            phrases[run["run"]] = phrase
        entries.append(_entry(vote_id, run, first, last, phrase))
    return VoteEntries(entries, phrases)


def _said(
    row: Mapping[str, Any], run: Mapping[str, Any], first: Phrase | None, last: Phrase | None
) -> Phrase | None:
    if first is None or last is None:
        return None
    if _is_ballot_run(row, run):
        return _ballots(run["count"], str(first.args["code"]), str(last.args["code"]))
    return first


def _entry(
    vote_id: UUID,
    run: Mapping[str, Any],
    first: Mapping[str, Any],
    last: Mapping[str, Any],
    phrase: Phrase | None,
) -> VoteAuditEntry:
    description = first["description"]
    if _is_ballot_run(first, run):
        if phrase is None:  # chained before steps had phrases: the codes end the English
            code_1 = first["description"].rsplit(" ", 1)[-1].rstrip(".")
            code_n = last["description"].rsplit(" ", 1)[-1].rstrip(".")
            phrase = _ballots(run["count"], code_1, code_n)
        description = sentence(phrase)
    return VoteAuditEntry(
        vote_id=vote_id.hex,
        first=run["run"],
        last=run["last"],
        event_type=first["event_type"],
        count=run["count"],
        actor_name=first["actor_name"],
        first_at=run["first_at"],
        last_at=run["last_at"],
        description=description,
        hash=bytes(last["hash"]).hex(),
    )


def _is_ballot_run(first: Mapping[str, Any], run: Mapping[str, Any]) -> bool:
    """Consecutive accepted ballots, listed as one entry named by its first and last codes."""
    return bool(first["event_type"] == "BallotCast" and run["count"] > 1)


def _ballots(count: int, code_1: str, code_n: str) -> Phrase:
    return N_(
        "%(count)s ballots accepted, tracking codes %(first)s to %(last)s.",
        count=count,
        first=code_1,
        last=code_n,
    )


async def vote_chains_reached(pool: asyncpg.Pool, timeout: float, poll: float = 0.02) -> bool:
    """Until the projection has chained every vote event recorded before this call (False
    after `timeout`): a read sees what was recorded before it, as the negotiation's reads do."""
    head = await pool.fetchval(f"SELECT coalesce(max(notification_id), 0) FROM {VOTES_TABLE}")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        reached = await pool.fetchval("SELECT position FROM vote_audit_position")
        if reached is not None and reached >= head:
            return True
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(poll)


async def vote_head(pool: asyncpg.Pool, vote_id: UUID) -> tuple[int, str] | None:
    row = await pool.fetchrow(
        "SELECT version, hash FROM vote_audit_log WHERE vote_id = $1 ORDER BY version DESC LIMIT 1",
        vote_id.hex,
    )
    return None if row is None else (int(row[0]), bytes(row[1]).hex())


async def verify_vote_chain(
    conn: asyncpg.Connection, negotiation_id: str, vote_id: UUID
) -> VoteVerifyResult:
    """Recompute the vote's chain from its anchor in the negotiation's log and its stored
    events, and compare it with `vote_audit_log` (in one repeatable-read snapshot)."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        return await _verify(conn, negotiation_id, vote_id)


async def _verify(conn: asyncpg.Connection, negotiation_id: str, vote_id: UUID) -> VoteVerifyResult:
    logged = {
        r[0]: (bytes(r[1]), bytes(r[2]))
        for r in await conn.fetch(
            "SELECT version, hash, prev_hash FROM vote_audit_log WHERE vote_id = $1",
            vote_id.hex,
        )
    }
    head_version = max(logged, default=0)
    head_hash = logged[head_version][0].hex() if logged else ""
    checked = 0

    def result(version: int | None = None, problem: Phrase | None = None) -> VoteVerifyResult:
        return VoteVerifyResult(
            ok=problem is None,
            checked=checked,
            first_problem_version=version,
            problem=None if problem is None else render(problem),
            head_version=head_version,
            head_hash=head_hash,
            problem_phrase=problem,
        )

    prev = await anchor(conn, negotiation_id, vote_id)
    if prev is None:
        return result(0, N_("The negotiation's log does not hold the call of this vote."))
    if logged and logged[min(logged)][1] != prev:
        return result(
            min(logged),
            N_(
                "The vote's chain does not start from the negotiation's entry that called it: "
                "the negotiation's history before the call was altered."
            ),
        )
    version = 0
    while True:
        events = await conn.fetch(_SELECT_VOTE_EVENTS, vote_id, version, CATCH_UP_PAGE)
        for v, topic, state in events:
            if v > head_version:
                return result()  # recorded after the last chained one: not chained yet
            if v != version + 1 or v not in logged:
                return result(
                    version + 1,
                    N_(
                        "The vote's event %(step)s is missing from the event store or the "
                        "audit log: an event was removed or inserted.",
                        step=str(version + 1),
                    ),
                )
            stored_hash, stored_prev = logged[v]
            if stored_prev != prev:
                return result(
                    v,
                    N_(
                        "The vote's audit entry %(step)s does not link to the one before it.",
                        step=str(v),
                    ),
                )
            digest = chain_hash(prev, v, str(vote_id), v, topic, state)
            if digest != stored_hash:
                return result(
                    v,
                    N_(
                        "The vote's event %(step)s does not match its audit hash: the stored "
                        "event (or the entry's hash) was changed.",
                        step=str(v),
                    ),
                )
            prev, version, checked = digest, v, checked + 1
        if len(events) < CATCH_UP_PAGE:
            break
    if version != head_version:
        return result(
            version + 1,
            N_(
                "The vote's event %(step)s is missing from the event store.",
                step=str(version + 1),
            ),
        )
    return result()


# ------------------------------------------------------------------ what each step says
# Each step is a phrase (projections.describe): the English sentence is the entry's
# description, the phrase (`message`) what pages render in the reader's language.
_OPTIONS = {"yes": N_("yes"), "no": N_("no"), "abstain": N_("abstain")}
_OUTCOMES = {
    "ratified": N_("ratified"),
    "rejected": N_("rejected"),
    "quorum_missed": N_("quorum missed"),
}


def _option(name: Any) -> Phrase | str:
    return _OPTIONS.get(str(name), str(name))


def _listed(items: list[Phrase | str], separator: str) -> Phrase:
    """Items joined by a separator, each still translatable."""
    args: dict[str, str | int | Phrase] = {f"i{n}": item for n, item in enumerate(items)}
    return Phrase(separator.join(f"%(i{n})s" for n in range(len(items))), args)


def _names(officials: list[Mapping[str, Any]]) -> str:
    return ", ".join(str(o.get("name", "")) for o in officials)


def describe(kind: str, data: Mapping[str, Any], options: list[str]) -> str:
    """One sentence per step, in English (see phrase)."""
    return sentence(phrase(kind, data, options))


def phrase(kind: str, data: Mapping[str, Any], options: list[str]) -> Phrase:
    """One sentence per step; nothing that links a member to a ballot (see the module)."""
    if kind == "VoteCalled":
        threshold = str(data.get("threshold"))
        quorum = data.get("quorum")
        args: dict[str, str | int | Phrase] = {
            "question": str(data.get("question", "")),
            "options": _listed([_option(o) for o in data.get("options", [])], " / "),
            "threshold": N_("majority") if threshold == "majority" else threshold,
        }
        if not quorum:
            return N_(
                "Ratification vote called: “%(question)s” (%(options)s; threshold "
                "%(threshold)s, quorum none).",
                **args,
            )
        return N_(
            "Ratification vote called: “%(question)s” (%(options)s; threshold %(threshold)s, "
            "quorum %(quorum)s).",
            quorum=str(quorum),
            **args,
        )
    if kind == "ElectionOfficialsAppointed":
        officials = data.get("officials", [])
        return N_(
            "Election officials appointed: %(names)s (any %(quorum)s of %(count)s count the "
            "votes).",
            names=_names(officials),
            quorum=str(data.get("quorum")),
            count=str(len(officials)),
        )
    if kind == "VoterRollImported":
        return N_(
            "Voter roll imported: %(accepted)s rows accepted (%(eligible)s in good standing), "
            "%(rejected)s rejected.",
            accepted=int(data.get("accepted", 0)),
            eligible=int(data.get("eligible", 0)),
            rejected=int(data.get("rejected", 0)),
        )
    if kind == "SummaryWritten":
        whole = data.get("article_id") is None
        written = bool(str(data.get("text", "")).strip())
        document_hash = str(data.get("document_hash", ""))
        if written and whole:
            return N_(
                "The union wrote the plain-language summary of the whole agreement; the "
                "document members vote on now has hash %(hash)s.",
                hash=document_hash,
            )
        if written:
            return N_(
                "The union wrote the plain-language summary of an agreed article; the "
                "document members vote on now has hash %(hash)s.",
                hash=document_hash,
            )
        if whole:
            return N_(
                "The union removed the plain-language summary of the whole agreement; the "
                "document members vote on now has hash %(hash)s.",
                hash=document_hash,
            )
        return N_(
            "The union removed the plain-language summary of an agreed article; the "
            "document members vote on now has hash %(hash)s.",
            hash=document_hash,
        )
    if kind == "VoterRollCertified":
        return N_(
            "Voter roll certified: %(eligible)s eligible members, roll hash %(hash)s.",
            eligible=int(data.get("eligible", 0)),
            hash=str(data.get("roll_hash", "")),
        )
    if kind == "GuardianAnnounced":
        return N_(
            "Key ceremony: guardian %(index)s published their public commitments.",
            index=str(data.get("index")),
        )
    if kind == "GuardianSharesPosted":
        return N_(
            "Key ceremony: guardian %(sender)s sent the others sealed key shares.",
            sender=str(data.get("sender")),
        )
    if kind == "GuardianSharesConfirmed":
        return N_(
            "Key ceremony: guardian %(guardian)s confirmed that every share it received "
            "matches its sender's commitments.",
            guardian=str(data.get("guardian")),
        )
    if kind == "GuardianShareChallenged":
        return N_(
            "Key ceremony: guardian %(accuser)s challenged the share guardian %(accused)s "
            "sent it (it does not match the commitments).",
            accuser=str(data.get("accuser")),
            accused=str(data.get("accused")),
        )
    if kind == "GuardianShareRevealed":
        return N_(
            "Key ceremony: guardian %(accused)s revealed the share for guardian %(accuser)s; "
            "it matches their commitments, so the challenge is resolved.",
            accused=str(data.get("accused")),
            accuser=str(data.get("accuser")),
        )
    if kind == "GuardianDisqualified":
        return N_(
            "Key ceremony: guardian %(guardian)s was disqualified: the share they revealed for "
            "guardian %(accuser)s does not match their commitments. The ceremony restarts when "
            "the officials are appointed again.",
            guardian=str(data.get("guardian")),
            accuser=str(data.get("accuser")),
        )
    if kind == "JointKeyPublished":
        return N_("Key ceremony: the joint election key was published.")
    if kind == "CredentialsIssued":
        return N_(
            "Credentials issued to %(count)s eligible members (the platform keeps only their "
            "hashes).",
            count=int(data.get("count", 0)),
        )
    if kind == "CredentialReissued":
        return N_("A lost credential was reissued; the old one is void.")
    if kind == "VoteOpened":
        return N_("The vote opened.")
    if kind == "BallotCast":
        return N_(
            "Ballot accepted, tracking code %(code)s.",
            code=display_tracking_code(data["tracking_code"]),
        )
    if kind == "VoteClosed":
        reason = str(data.get("reason", "")).strip()
        if data.get("early"):
            return N_("The vote was closed early. Reason: %(reason)s", reason=reason)
        if reason:
            return N_("The vote closed at the end of its window. %(reason)s", reason=reason)
        return N_("The vote closed at the end of its window.")
    if kind == "PartialDecryptionPosted":
        return N_(
            "Guardian %(guardian)s decrypted their part of the encrypted total, with a proof.",
            guardian=str(data.get("guardian")),
        )
    if kind == "TallyCertified":
        counts: list[Phrase | str] = [
            N_("%(option)s %(count)s", option=_option(option), count=int(count))
            for option, count in zip(options, data.get("result") or [], strict=False)
        ]
        outcome = data.get("outcome")
        return N_(
            "Tally certified: %(counts)s. Outcome: %(outcome)s.",
            counts=_listed(counts, ", "),
            outcome=_OUTCOMES.get(str(outcome), str(outcome)),
        )
    if kind == "VoterDataPurged":
        return N_(
            "Voter contact data, credential hashes and participation were purged after the "
            "retention period; the public election record stays."
        )
    return Phrase(kind)
