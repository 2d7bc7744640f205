"""HTML controllers members and the public read: the front page, a session's live viewer, an
article's history, a published bulletin. Each renders the same projection parts its feed sends,
from the hub's own board caught up with `after` (board_at): the page is then exactly the state
at the position its feed resumes from."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import quote

import asyncpg
import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from projections.redline import remembered_redline
from projections.views import (
    OnTablePart,
    article_history,
    audience_on,
    board_parts,
    session_parts,
)
from realtime.cards import reactions_part
from realtime.hub import Hub
from web.controllers.live import VIEWER_COOKIE, card_holder
from web.controllers.reads import After, board_at
from web.identity import Account
from web.pages.i18n import LANG_COOKIE, LANGUAGES, choose_language
from web.pages.listing import negotiation_listing

MAX_REDLINE_TEXT = 100_000  # characters: far beyond any article, short of a denial of service


def marked_up(before: str, after: str) -> str:
    """The redline of two texts as HTML, diffed once per pair (`remembered_redline`)."""
    return remembered_redline(before, after).html()


def sign_in_first(request: Request[Any, Any, Any]) -> Redirect:
    """To the sign-in page, in the language asked for, which comes back to this very page
    (its query too: a vote's verification names its negotiation there) once signed in."""
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    lang = request.query_params.get("lang")
    in_lang = f"&lang={lang}" if lang in LANGUAGES else ""
    return Redirect(f"/sign-in?next={quote(back, safe='/')}{in_lang}")


def page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    cookies: list[Cookie] | None = None,
    **context: Any,
) -> Template:
    """A page in the reader's language; a `?lang=` choice is remembered for the next pages."""
    lang = choose_language(request)
    cookies = list(cookies or [])
    # The language switch keeps the rest of the address (a room display stays one).
    query = "&".join(
        f"{quote(k)}={quote(v)}" for k, v in request.query_params.items() if k != "lang"
    )
    if request.query_params.get("lang") in LANGUAGES:
        cookies.append(Cookie(key=LANG_COOKIE, value=lang, max_age=365 * 86400, samesite="lax"))
    return Template(
        template_name=template,
        context={
            "lang": lang,
            "languages": LANGUAGES,
            "path": request.url.path,
            "query": query,
            **context,
        },
        cookies=cookies,
        # The same address reads differently by language and by who is signed in.
        headers={"Content-Language": lang, "Vary": "Accept-Language, Cookie"},
    )


def _articles(parts: dict[str, Any]) -> list[Any]:
    return [p for name, p in parts.items() if name.startswith("article:")]


def on_table_redlines(on_table: OnTablePart | None) -> dict[str, str]:
    """Both sides' latest language marked up two ways: the later side against the earlier
    (between the sides), and each against the current contract."""
    marks: dict[str, str] = {}
    if on_table is None:
        return marks
    current = on_table.current_language or ""
    sides = [s for s in (on_table.union, on_table.employer) if s is not None]
    for side in sides:
        marks[f"current:{side.party}"] = marked_up(current, side.text)
        marks[f"sides:{side.party}"] = marks[f"current:{side.party}"]
    if len(sides) == 2:
        earlier, later = sorted(sides, key=lambda s: s.at)
        marks[f"sides:{earlier.party}"] = marked_up(earlier.text, earlier.text)
        marks[f"sides:{later.party}"] = marked_up(earlier.text, later.text)
    return marks


def viewer_id_cookie(request: Request[Any, Any, Any]) -> list[Cookie]:
    """An anonymous browser's random id, so its red or green card counts once however many
    tabs it opens (realtime/cards.py). It identifies a browser, never a person."""
    if card_holder(None, request.cookies.get(VIEWER_COOKIE)) is not None:
        return []
    return [
        Cookie(
            key=VIEWER_COOKIE,
            value=secrets.token_urlsafe(16),
            max_age=365 * 86400,
            httponly=True,
            samesite="lax",
        )
    ]


class ViewerPages(Controller):
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], pool: asyncpg.Pool, after: After = None
    ) -> Template:
        listing = await negotiation_listing(pool, after)
        return page(request, "index.html", negotiations=listing)

    @get("/negotiations/{negotiation_id:str}/sessions/{session_id:str}")
    async def session_viewer(
        self,
        request: Request[Any, Any, Any],
        negotiation_id: str,
        session_id: str,
        hub: Hub,
        viewer: Account | None,
        pool: asyncpg.Pool,
        display: str | None = None,
        after: After = None,
    ) -> Template:
        board = await board_at(hub, pool, negotiation_id, after)
        audience = audience_on(board, viewer)
        # Built at once, before any await: the parts all stand at `board.position`.
        position = board.position
        session = session_parts(board, session_id, audience)
        if not session:
            raise NotFoundException(f"No session {session_id} in this negotiation.")
        parts = board_parts(board, audience)
        reactions = reactions_part(
            board, hub.cards.counter.totals(negotiation_id), audience, session_id
        )
        return page(
            request,
            "viewer.html",
            cookies=viewer_id_cookie(request),
            reactions=msgspec.to_builtins(reactions) if reactions else None,
            position=position,
            negotiation=parts["negotiation"],
            articles=_articles(parts),
            session=session,
            timeline=[
                p for n, p in sorted(session.items(), reverse=True) if n.startswith("timeline:")
            ],
            bulletins=[p for n, p in session.items() if n.startswith("bulletin:")],
            redlines=on_table_redlines(session.get("on_table")),
            room=display == "room",
            signed_in=viewer is not None,
        )

    @get("/sign-in")
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        next_: Annotated[str, QueryParameter(name="next", max_length=2000)] = "/",
    ) -> Template:
        # Only a path on this site: never a way to send someone elsewhere after signing in.
        local = next_.startswith("/") and not next_.startswith("//") and "\\" not in next_
        return page(request, "sign_in.html", next=next_ if local else "/")

    @get("/negotiations/{negotiation_id:str}/articles/{article_id:str}")
    async def article(
        self,
        request: Request[Any, Any, Any],
        negotiation_id: str,
        article_id: str,
        hub: Hub,
        viewer: Account | None,
        pool: asyncpg.Pool,
        from_: str | None = None,
        to: str | None = None,
        after: After = None,
    ) -> Template:
        """An article's full history; any two versions (or the current contract) compared."""
        board = await board_at(hub, pool, negotiation_id, after)
        audience = audience_on(board, viewer)
        history = article_history(board, article_id, audience)
        if history is None:
            raise NotFoundException(f"No article {article_id} in this negotiation.")
        texts = {p.proposal_id: p.text for p in history.proposals}
        texts["current"] = history.current_language
        if to not in texts:
            to = history.proposals[-1].proposal_id if history.proposals else "current"
        if from_ not in texts:
            earlier = [p.proposal_id for p in history.proposals if p.proposal_id != to]
            from_ = earlier[-1] if earlier and to != "current" else "current"
        return page(
            request,
            "article.html",
            negotiation=board_parts(board, audience)["negotiation"],
            history=history,
            compare_from=from_,
            compare_to=to,
            compared=marked_up(texts[from_], texts[to]),
        )

    @get("/negotiations/{negotiation_id:str}/sessions/{session_id:str}/bulletins/{number:int}")
    async def bulletin(
        self,
        request: Request[Any, Any, Any],
        negotiation_id: str,
        session_id: str,
        number: int,
        hub: Hub,
        pool: asyncpg.Pool,
        viewer: Account | None,
        after: After = None,
    ) -> Template:
        """A published bulletin, printable and linkable, with the audit chain head it was
        published at (anyone can check later that the log still hashes to it)."""
        board = await board_at(hub, pool, negotiation_id, after)
        audience = audience_on(board, viewer)
        session = session_parts(board, session_id, audience)
        bulletin = session.get(f"bulletin:{number}")
        if bulletin is None:
            raise NotFoundException(f"No bulletin {number} of this session visible to you.")
        chain_hash = await pool.fetchval(
            "SELECT encode(hash, 'hex') FROM audit_log WHERE position = $1", bulletin.position
        )
        return page(
            request,
            "bulletin.html",
            negotiation=board_parts(board, audience)["negotiation"],
            session=session["summary"],
            bulletin=bulletin,
            chain_hash=chain_hash,
        )


class RedlineRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    before: str
    after: str


class RedlineHtml(msgspec.Struct, frozen=True):
    html: str


class RedlineController(Controller):
    """Redlines for texts a page already holds (they came in its feed), so a live change is
    marked up by the same code as the first paint, without reading anything again."""

    path = "/pages/redline"
    include_in_schema = False

    @post("/", status_code=200)
    async def mark_up(self, data: RedlineRequest) -> RedlineHtml:
        if len(data.before) > MAX_REDLINE_TEXT or len(data.after) > MAX_REDLINE_TEXT:
            raise ValidationException("Each text may have at most 100,000 characters.")
        return RedlineHtml(html=marked_up(data.before, data.after))
