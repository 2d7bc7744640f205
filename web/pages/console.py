"""The table console: a bargaining team's live comparison chart, editor and session controls,
rendered from the board its feed follows (the team's own audience: its drafts and notes too)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template

from negotiation.domain.actors import FACILITATOR, runs_sessions, speaks_for_party
from negotiation.domain.visibility import Audience
from projections.board import ArticleEntry, Board, ProposalEntry, SessionEntry
from projections.views import (
    ArticleSummaryPart,
    PrivatePart,
    audience_on,
    board_parts,
    visible_proposals,
)
from realtime.hub import Hub
from web.controllers.reads import After, board_at
from web.dependencies import SESSION_COOKIE
from web.identity import Account, Identity
from web.pages.listing import negotiation_listing
from web.pages.viewer import marked_up, page, sign_in_first

MAX_PARTS = 200  # names in one fragment request: more than any board has articles on a screen


class Side(msgspec.Struct, frozen=True):
    """One party's latest language on an article, as the team may read it."""

    proposal_id: str
    version: int
    party: str
    text: str
    at: datetime
    status: str  # live or agreed
    package_id: str | None


class ConsoleRow(msgspec.Struct, frozen=True):
    """A line of the comparison chart: what the contract says, what each side last put on
    the table, the redlines between them, and the team's drafts on the article."""

    summary: ArticleSummaryPart
    current_language: str
    union: Side | None
    employer: Side | None
    redlines: dict[str, str]  # union / employer against the contract; "sides" between them
    drafts: list[PrivatePart]


def _side(proposals: list[ProposalEntry], party: str) -> Side | None:
    for p in reversed(proposals):
        if p.party == party and p.status in ("live", "agreed"):
            return Side(p.proposal_id, p.version, p.party, p.text, p.at, p.status, p.package_id)
    return None


def console_row(
    board: Board,
    article: ArticleEntry,
    aud: Audience,
    summary: ArticleSummaryPart,
    drafts: list[PrivatePart],
) -> ConsoleRow:
    visible = visible_proposals(board, article, aud)
    union, employer = _side(visible, "union"), _side(visible, "employer")
    current = article.current_language
    marks = {s.party: marked_up(current, s.text) for s in (union, employer) if s}
    if union and employer:
        earlier, later = sorted((union, employer), key=lambda s: s.at)
        marks["sides"] = marked_up(earlier.text, later.text)
    return ConsoleRow(
        summary=summary,
        current_language=current,
        union=union,
        employer=employer,
        redlines=marks,
        drafts=[d for d in drafts if d.article_id == article.article_id and not d.tabled_as],
    )


def current_session(board: Board) -> SessionEntry | None:
    """The session the console operates: the running one, else the next scheduled one."""
    running = board.running_session()
    if running is not None:
        return running
    scheduled = [s for s in board.sessions.values() if s.status == "scheduled"]
    return min(scheduled, key=lambda s: s.starts_at) if scheduled else None


def console_context(
    board: Board, aud: Audience, account: Account, only: set[str] | None = None
) -> dict[str, Any]:
    """Everything the console renders, built at once (before any await), so every part stands
    at `board.position`, the position its feed then resumes from. With `only` (names of
    parts), just the rows those need: a live change costs one row's redlines, not the
    whole chart's."""
    parts = board_parts(board, aud)
    drafts = [p for n, p in parts.items() if n.startswith("draft:")]
    notes = [p for n, p in parts.items() if n.startswith("note:")]
    # What a package can be made of: team drafts, and our tabled proposals not in a package.
    packable = {d.article_id for d in drafts if not d.tabled_as} | {
        a.article_id
        for a in board.articles.values()
        if aud.party is not None
        and (ours := a.live(aud.party)) is not None
        and ours.package_id is None
    }
    rows = [
        console_row(board, article, aud, parts[f"article:{article.article_id}"], drafts)
        for article in board.articles.values()
        if only is None
        or f"article:{article.article_id}" in only
        or ("packages" in only and article.article_id in packable)
    ]
    session = current_session(board)
    summary = parts.get(f"session:{session.session_id}") if session else None
    common = {
        "position": board.position,
        "negotiation": parts["negotiation"],
        "rows": rows,
        "articles": [p for n, p in parts.items() if n.startswith("article:")],
        "session": session,
        "session_visible": bool(summary and summary.details_visible),
        "sessions": sorted(board.sessions.values(), key=lambda s: s.number),
        "me": account.account_id,
        "drafts_by_id": {},
        "ground_rules": parts["ground_rules"],
    }
    if aud.party is None:  # the facilitator: sessions, chart and rules, nothing of a team's
        return common | {
            "party": None,
            "other": None,
            "role": FACILITATOR,
            "chief": False,
            "runs_sessions": runs_sessions(FACILITATOR),
        }
    member = board.team[account.account_id]
    live_packages = [p for p in board.packages.values() if p.status == "live"]
    return common | {
        "notes": sorted(notes, key=lambda n: n.at, reverse=True),
        "packages": live_packages,
        "party": member.party,
        "other": "employer" if member.party == "union" else "union",
        "role": member.role,
        # The acts that bind the party are its chief's: the others see who does them instead.
        "chief": speaks_for_party(member.role),
        # Scheduling, opening, recessing, resuming, closing and the agenda: chief or facilitator.
        "runs_sessions": runs_sessions(member.role),
        "team": [(aid, t) for aid, t in board.team.items() if t.party == member.party],
        "drafts_by_id": {d.item_id: d.article_id for d in drafts},
    }


async def table_board(
    hub: Hub,
    pool: asyncpg.Pool,
    negotiation_id: str,
    account: Account,
    after: int | None,
    page_name: str = "The console",
) -> tuple[Board, Audience]:
    """The board and the audience it is read as, for the pages of the people at the table: a
    team's, or the facilitator's (who runs the sessions and reads what an official may: no
    team's drafts or notes). Anyone else is refused."""
    board = await board_at(hub, pool, negotiation_id, after)
    aud = audience_on(board, account)
    if aud.party is None and account.account_id not in board.facilitators:
        raise PermissionDeniedException(
            f"{page_name} is for the bargaining teams and the facilitator of this negotiation."
        )
    return board, aud


class ConsolePages(Controller):
    """The console's pages and the fragments its script swaps in when the feed moves."""

    path = "/console"
    include_in_schema = False

    @get("/")
    async def pick(
        self,
        request: Request[Any, Any, Any],
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
        after: After = None,
    ) -> Template | Redirect:
        if viewer is None:
            return sign_in_first(request)
        mine = []
        for entry in await negotiation_listing(pool, after):
            board = await hub.board(entry.negotiation_id)
            if board is not None and viewer.account_id in board.team:
                mine.append((entry, board.team[viewer.account_id].role))
            elif board is not None and viewer.account_id in board.facilitators:
                mine.append((entry, "facilitator"))
        return page(request, "console_pick.html", negotiations=mine, viewer=viewer)

    @get("/{negotiation_id:str}")
    async def console(
        self,
        request: Request[Any, Any, Any],
        negotiation_id: str,
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
        after: After = None,
    ) -> Template | Redirect:
        if viewer is None:
            return sign_in_first(request)
        board, aud = await table_board(hub, pool, negotiation_id, viewer, after)
        return page(request, "console.html", viewer=viewer, **console_context(board, aud, viewer))

    @get("/{negotiation_id:str}/parts")
    async def parts(
        self,
        request: Request[Any, Any, Any],
        negotiation_id: str,
        names: str,
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
        after: After = None,
    ) -> Template:
        """The named pieces of the console re-rendered at `after` (the feed change that moved
        them): the same templates as the first paint, so a live row cannot differ from a
        reloaded one."""
        if viewer is None:
            raise PermissionDeniedException("Sign in to use the console.")
        board, aud = await table_board(hub, pool, negotiation_id, viewer, after)
        wanted = {n for n in names.split(",")[:MAX_PARTS] if n}
        if not wanted:
            raise NotFoundException("Name the parts to render.")
        context = console_context(board, aud, viewer, only=wanted)
        return page(request, "console_parts.html", wanted=wanted, **context)

    @post("/sign-out", status_code=303)
    async def sign_out_everywhere(self, viewer: Account | None, identity: Identity) -> Redirect:
        """Revoke every session and token of this account (a lost laptop), then the cookie."""
        if viewer is not None:
            await identity.revoke_all_tokens(viewer.account_id)
        response = Redirect("/sign-in?next=/console", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
