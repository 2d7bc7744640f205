"""The audit history over HTTP: filtered listing, streamed exports, chain head and verification."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

import asyncpg
import msgspec
from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import Parameter
from litestar.response import Redirect, Stream, Template

from negotiation.domain import errors
from negotiation.domain.visibility import VOTE_AUDIT_LABEL, Audience, labels_seen_by
from projections.audit import (
    MAX_LIMIT,
    AuditEntry,
    AuditFilters,
    VerifyResult,
    chain_head,
    entry_phrases,
    list_entries,
    stream_entries,
    verify_chain,
)
from projections.audit.votes import (
    VoteAuditEntry,
    VoteVerifyResult,
    list_vote_entries,
    verify_vote_chain,
    vote_head,
    vote_negotiation,
    vote_officials,
    votes_called,
)
from projections.board_store import load_board
from projections.describe import Phrase
from projections.views import audience_on
from web.controllers.reads import projection_at, vote_chains_at
from web.identity import Account
from web.pages.audit import EVENT_KINDS
from web.pages.viewer import page, sign_in_first

CSV_COLUMNS = tuple(AuditEntry.__struct_fields__)
Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="At most 1000 entries.")]
After = Annotated[int, Parameter(ge=0, le=2**63 - 1, description="Entries after this position.")]


class AuditPageView(msgspec.Struct, frozen=True):
    entries: list[AuditEntry]
    next_after: int | None  # pass as `after` for the next page; None when this one is the last


class ChainHeadView(msgspec.Struct, frozen=True):
    position: int
    hash: str


class VerifyView(msgspec.Struct, frozen=True):
    """The API's answer: the problem said in English (the pages say it in the reader's)."""

    ok: bool
    checked: int
    first_problem_position: int | None
    problem: str | None
    head_position: int
    head_hash: str


class VoteVerifyView(msgspec.Struct, frozen=True):
    """The API's answer for a vote's chain: the problem said in English."""

    ok: bool
    checked: int
    first_problem_version: int | None
    problem: str | None
    head_version: int
    head_hash: str


def _negotiation_key(negotiation_id: str | None) -> str | None:
    if not negotiation_id:
        return None
    try:
        return str(UUID(negotiation_id))
    except ValueError:
        raise ValidationException(f"{negotiation_id!r} is not a negotiation id.") from None


async def provide_labels(
    pool: asyncpg.Pool, filters: AuditFilters, viewer: Account | None
) -> list[str]:
    """What this viewer may read. Within one negotiation, as its board says they are to it
    (team party, unit member, official); across negotiations, only what is public (and, for
    administrators, what officials see). Read once the projection has the log's head, so an
    entry is there as soon as its command has answered."""
    await projection_at(pool, None)  # the log as of now: written with the board, together
    negotiation_id = filters.negotiation_id
    if negotiation_id is None:
        return labels_seen_by(Audience(official=viewer is not None and viewer.is_admin))
    board = await load_board(pool, negotiation_id)
    if board is None:
        raise NotFoundException(f"No negotiation {negotiation_id} (or not projected yet).")
    return labels_seen_by(audience_on(board, viewer))


def provide_filters(
    negotiation_id: str | None = None,
    article_id: str | None = None,
    session_id: str | None = None,
    actor: str | None = None,
    type: str | None = None,
    after: After = 0,
) -> AuditFilters:
    """The filters every audit route shares, from the query string. `actor` is an account
    id or a display name; `after` a position.

    Checked here, before any response starts: the exports stream, so a value PostgreSQL
    refuses (a NUL character) would otherwise cut a download short instead of a clear 400."""
    for name, value in (
        ("article_id", article_id),
        ("session_id", session_id),
        ("actor", actor),
        ("type", type),
    ):
        if value is not None and "\x00" in value:
            raise ValidationException(f"The {name} filter contains a NUL character.")
    return AuditFilters(
        negotiation_id=_negotiation_key(negotiation_id),
        article_id=article_id or None,
        session_id=session_id or None,
        actor=actor or None,
        type=type or None,
        after=after,
    )


async def _jsonl(
    pool: asyncpg.Pool, filters: AuditFilters, labels: list[str]
) -> AsyncIterator[bytes]:
    encoder = msgspec.json.Encoder()
    # aclosing: a client that goes away mid-download releases the cursor's connection at once
    async with aclosing(stream_entries(pool, filters, labels)) as pages:
        async for page in pages:
            buffer = bytearray()
            for entry in page:
                encoder.encode_into(entry, buffer, len(buffer))
                buffer.extend(b"\n")
            yield bytes(buffer)


async def _csv(pool: asyncpg.Pool, filters: AuditFilters, labels: list[str]) -> AsyncIterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    yield out.getvalue()
    async with aclosing(stream_entries(pool, filters, labels)) as pages:
        async for page in pages:
            out.seek(0)
            out.truncate()
            for entry in page:
                writer.writerow(
                    [
                        entry.at.isoformat() if name == "at" else getattr(entry, name)
                        for name in CSV_COLUMNS
                    ]
                )
            yield out.getvalue()


class VoteChainView(msgspec.Struct, frozen=True):
    """A vote's own chain (projections/audit/votes.py), hanging from the negotiation's entry
    at `called_at` (its hash is the vote chain's first `prev`)."""

    vote_id: str
    negotiation_id: str
    called_at: int
    anchor_hash: str
    entries: list[VoteAuditEntry]
    head_version: int
    head_hash: str


async def _verified(pool: asyncpg.Pool) -> VerifyResult:
    """The whole chain recomputed from the stored events and compared with the log."""
    async with pool.acquire() as conn:
        return await verify_chain(conn)


async def _vote_verified(
    pool: asyncpg.Pool, filters: AuditFilters, labels: list[str], viewer: Account, vote_id: UUID
) -> VoteVerifyResult:
    """A vote's chain recomputed from its anchor and its stored events, for one who reads it."""
    chain = (await _vote_chains(pool, filters, labels, viewer, vote_id))[0].view
    async with pool.acquire() as conn:
        return await verify_vote_chain(conn, chain.negotiation_id, vote_id)


@dataclass(frozen=True)
class _SaidChain:
    view: VoteChainView
    phrases: dict[int, Phrase]  # what each entry says, by its `first` step, to translate


async def _vote_chains(
    pool: asyncpg.Pool,
    filters: AuditFilters,
    labels: list[str],
    viewer: Account | None,
    only: UUID | None = None,
) -> list[_SaidChain]:
    """The negotiation's votes' chains this viewer reads, as of now: with the
    negotiation's members-label (visibility.VOTE_AUDIT_LABEL), or as the vote's own election
    official (an official in visibility.Audience's sense, for that vote)."""
    negotiation_id = filters.negotiation_id
    if negotiation_id is None and only is not None:  # the vote's own negotiation, then
        async with pool.acquire() as conn:
            negotiation_id = await vote_negotiation(conn, only)
        if negotiation_id is None:
            raise NotFoundException(f"No vote {only.hex}.")
        filters = msgspec.structs.replace(filters, negotiation_id=negotiation_id)
        labels = await provide_labels(pool, filters, viewer)
    if negotiation_id is None:
        raise ValidationException("Name the negotiation (negotiation_id) whose votes to show.")
    async with pool.acquire() as conn:
        calls = [c for c in await votes_called(conn, negotiation_id) if only in (None, c.vote_id)]
        if only is not None and not calls:
            raise NotFoundException(f"No vote {only.hex} in negotiation {negotiation_id}.")
        if VOTE_AUDIT_LABEL not in labels:
            mine = {
                c.vote_id
                for c in calls
                if viewer is not None and viewer.account_id in await vote_officials(conn, c.vote_id)
            }
            calls = [c for c in calls if c.vote_id in mine]
    if only is not None and not calls:
        raise errors.NotPermitted(
            "The steps of a ratification vote are for the bargaining unit's members, the "
            "teams and the vote's officials; its outcome and election record are public."
        )
    chains = []
    if calls:
        await vote_chains_at(pool)  # as of now: chained in the background (no hashing here)
    for call in calls:
        head = await vote_head(pool, call.vote_id)
        listed = await list_vote_entries(pool, call.vote_id)
        view = VoteChainView(
            vote_id=call.vote_id.hex,
            negotiation_id=negotiation_id,
            called_at=call.position,
            anchor_hash=call.hash.hex(),
            entries=listed.entries,
            head_version=head[0] if head else 0,
            head_hash=head[1] if head else call.hash.hex(),
        )
        chains.append(_SaidChain(view, listed.phrases))
    return chains


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}


class AuditController(Controller):
    """Every recorded event, in order, as the viewer may see it; exports; chain verification."""

    tags = ("audit",)
    dependencies = {  # noqa: RUF012
        "filters": Provide(provide_filters, sync_to_thread=False),
        "labels": Provide(provide_labels),
    }

    @get("/api/audit")
    async def entries(
        self,
        pool: asyncpg.Pool,
        filters: AuditFilters,
        labels: list[str],
        limit: Limit = 100,
    ) -> AuditPageView:
        """Entries after `after`, oldest first. Filters combine; `actor` is an account id or a
        display name. Without `negotiation_id`, only public entries (officials: also members')."""
        entries = await list_entries(pool, filters, labels, limit)
        return AuditPageView(
            entries=entries,
            next_after=entries[-1].position if len(entries) == limit else None,
        )

    @get("/api/audit/export.jsonl")
    async def export_jsonl(
        self,
        pool: asyncpg.Pool,
        filters: AuditFilters,
        labels: list[str],
    ) -> Stream:
        """Every matching entry, one JSON object per line, streamed."""
        return Stream(
            _jsonl(pool, filters, labels),
            media_type="application/x-ndjson",
            headers=_attachment("audit.jsonl"),
        )

    @get("/api/audit/export.csv")
    async def export_csv(
        self,
        pool: asyncpg.Pool,
        filters: AuditFilters,
        labels: list[str],
    ) -> Stream:
        """Every matching entry as CSV (with a header row), streamed."""
        return Stream(
            _csv(pool, filters, labels),
            media_type="text/csv; charset=utf-8",
            headers=_attachment("audit.csv"),
        )

    @get("/api/audit/head")
    async def head(self, pool: asyncpg.Pool) -> ChainHeadView:
        """The chain head: keep a copy outside the system to detect a rewritten history."""
        async with pool.acquire() as conn:
            position, digest = await chain_head(conn)
        return ChainHeadView(position=position, hash=digest)

    @get("/api/audit/verify")
    async def verify(self, pool: asyncpg.Pool, account: Account) -> VerifyView:
        """Recompute the whole chain from the stored events and compare it with the log
        (signed-in people only: it reads every event)."""
        result = await _verified(pool)
        return VerifyView(
            ok=result.ok,
            checked=result.checked,
            first_problem_position=result.first_problem_position,
            problem=result.problem,
            head_position=result.head_position,
            head_hash=result.head_hash,
        )

    @get("/api/audit/votes/{vote_id:uuid}")
    async def vote_chain(
        self,
        pool: asyncpg.Pool,
        filters: AuditFilters,
        labels: list[str],
        vote_id: UUID,
        viewer: Account | None,
    ) -> VoteChainView:
        """A ratification vote's steps, its own hash chain linked to the negotiation's by the
        hash of the entry that called it; consecutive accepted ballots are one entry
        (`first`..`last`, `count`). `negotiation_id` may be left out (the vote's own)."""
        return (await _vote_chains(pool, filters, labels, viewer, vote_id))[0].view

    @get("/api/audit/votes/{vote_id:uuid}/verify")
    async def verify_vote(
        self,
        pool: asyncpg.Pool,
        filters: AuditFilters,
        labels: list[str],
        vote_id: UUID,
        account: Account,
    ) -> VoteVerifyView:
        """Recompute the vote's chain from its anchor and its stored events (signed in)."""
        result = await _vote_verified(pool, filters, labels, account, vote_id)
        return VoteVerifyView(
            ok=result.ok,
            checked=result.checked,
            first_problem_version=result.first_problem_version,
            problem=result.problem,
            head_version=result.head_version,
            head_hash=result.head_hash,
        )

    @get("/audit/verify", include_in_schema=False)
    async def verify_page(
        self, request: Request[Any, Any, Any], pool: asyncpg.Pool, viewer: Account | None
    ) -> Template | Redirect:
        """The whole chain's verification, said in the reader's language (the API's is JSON)."""
        if viewer is None:
            return sign_in_first(request)
        result = await _verified(pool)
        return page(request, "audit_verify.html", chain=None, result=result, back="/audit")

    @get("/audit/votes/{vote_id:uuid}/verify", include_in_schema=False)
    async def verify_vote_page(
        self,
        request: Request[Any, Any, Any],
        pool: asyncpg.Pool,
        filters: AuditFilters,
        labels: list[str],
        vote_id: UUID,
        viewer: Account | None,
    ) -> Template | Redirect:
        """A vote's own chain's verification, said in the reader's language."""
        if viewer is None:
            return sign_in_first(request)
        result = await _vote_verified(pool, filters, labels, viewer, vote_id)
        negotiation = urlencode({"negotiation_id": filters.negotiation_id or ""})
        back = f"/audit?{negotiation}#vote-{vote_id.hex}" if filters.negotiation_id else "/audit"
        return page(request, "audit_verify.html", chain=str(vote_id), result=result, back=back)

    @get("/audit", include_in_schema=False)
    async def page(
        self,
        request: Request[Any, Any, Any],
        pool: asyncpg.Pool,
        viewer: Account | None,
        filters: AuditFilters,
        labels: list[str],
        limit: Limit = 200,
    ) -> Template:
        entries = await list_entries(pool, filters, labels, limit)
        async with pool.acquire() as conn:
            head_position, head_hash = await chain_head(conn)
        query = {
            key: value
            for key, value in (
                ("negotiation_id", filters.negotiation_id),
                ("article_id", filters.article_id),
                ("session_id", filters.session_id),
                ("actor", filters.actor),
                ("type", filters.type),
            )
            if value
        }
        next_query = (
            urlencode({**query, "after": entries[-1].position, "limit": limit})
            if len(entries) == limit
            else None
        )
        # The votes' own chains, under the negotiation's first page (not with narrower filters).
        narrowed = filters.article_id or filters.session_id or filters.actor or filters.type
        first_page = not (narrowed or filters.after)
        said = []
        if filters.negotiation_id and first_page:
            said = await _vote_chains(pool, filters, labels, viewer)
        votes = [chain.view for chain in said]
        # What each entry says, in the reader's language (the template renders the phrases).
        vote_phrases = {chain.view.vote_id: chain.phrases for chain in said}
        return page(
            request,
            "audit.html",
            entries=entries,
            phrases=await entry_phrases(pool, [e.position for e in entries]),
            filters=filters,
            filter_query=urlencode(query),
            next_query=next_query,
            head_position=head_position,
            head_hash=head_hash,
            viewer=viewer,
            votes=votes,
            vote_phrases=vote_phrases,
            kinds=EVENT_KINDS,
        )
