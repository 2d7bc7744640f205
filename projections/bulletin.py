"""The session bulletin: what moved in one session, as data and as text a team can edit."""

from __future__ import annotations

from datetime import datetime

import msgspec

from negotiation.domain.visibility import Audience
from projections.board import Board

MOVES = {
    "tabled": "tabled",
    "revised": "tabled",
    "countered": "countered",
    "agreed": "agreed",
    "proposal_withdrawn": "withdrawn",
    "article_withdrawn": "withdrawn",
}


class BulletinItem(msgspec.Struct, frozen=True):
    article_id: str
    number: str
    title: str
    party: str | None
    version: int | None


class BulletinReactions(msgspec.Struct, frozen=True):
    """The card totals of one article's turn on the table in this session."""

    article_id: str
    number: str
    title: str
    red: int
    green: int
    peak_red: int
    peak_green: int


class BulletinDraft(msgspec.Struct, frozen=True):
    session_id: str
    number: int
    title: str
    starts_at: datetime
    status: str
    tabled: list[BulletinItem]
    countered: list[BulletinItem]
    agreed: list[BulletinItem]
    withdrawn: list[BulletinItem]
    text: str
    reactions: list[BulletinReactions] = msgspec.field(default_factory=list)


def _names(items: list[BulletinItem]) -> str:
    return "; ".join(f"Article {i.number} — {i.title}" for i in items)


def bulletin_draft(board: Board, session_id: str, aud: Audience) -> BulletinDraft | None:
    session = board.sessions.get(session_id)
    if session is None or not aud.sees_session(session.visibility):  # as it is now
        return None
    groups: dict[str, list[BulletinItem]] = {
        k: [] for k in ("tabled", "countered", "agreed", "withdrawn")
    }
    for entry in session.timeline:
        group = MOVES.get(entry.kind)
        article = board.articles.get(entry.article_id or "")
        if group is None or article is None or not aud.sees_session(entry.visibility):
            continue
        proposal = article.proposal(entry.proposal_id or "")
        groups[group].append(
            BulletinItem(
                article_id=article.article_id,
                number=article.number,
                title=article.title,
                party=entry.party,
                version=proposal.version if proposal else None,
            )
        )
    lines = [
        f"Bargaining update — Session {session.number}: {session.title} "
        f"({session.starts_at:%B %d, %Y})",
        "",
    ]
    for label, key in (
        ("Proposals tabled", "tabled"),
        ("Counterproposals", "countered"),
        ("Tentatively agreed", "agreed"),
        ("Withdrawn", "withdrawn"),
    ):
        items = groups[key]
        if items:
            by_party = sorted({board.party_name(i.party) for i in items if i.party})
            who = f" (by {', '.join(by_party)})" if by_party and key != "agreed" else ""
            lines.append(f"{label}{who}: {_names(items)}.")
    reactions = [
        BulletinReactions(
            article_id=article.article_id,
            number=article.number,
            title=article.title,
            red=r.red,
            green=r.green,
            peak_red=r.peak_red,
            peak_green=r.peak_green,
        )
        for article in board.articles.values()
        for r in article.reactions
        if r.session_id == session_id and aud.sees_session(r.visibility)
    ]
    if reactions:
        lines.append(
            "Cards from members watching: "
            + "; ".join(f"Article {r.number} — {r.red} red, {r.green} green" for r in reactions)
            + "."
        )
    agreed_total = sum(1 for a in board.articles.values() if a.status == "agreed")
    lines += ["", f"Articles tentatively agreed so far: {agreed_total} of {len(board.articles)}."]
    return BulletinDraft(
        session_id=session.session_id,
        number=session.number,
        title=session.title,
        starts_at=session.starts_at,
        status=session.status,
        tabled=groups["tabled"],
        countered=groups["countered"],
        agreed=groups["agreed"],
        withdrawn=groups["withdrawn"],
        text="\n".join(lines),
        reactions=reactions,
    )
