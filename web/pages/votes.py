"""HTML pages of a ratification vote: the member's ballot, the officials' desk, the results."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any
from uuid import UUID

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from negotiation.ballots.ballot import display_tracking_code
from negotiation.domain import errors
from negotiation.domain.negotiation import Negotiation
from negotiation.domain.ratification import Vote, VoteState
from negotiation.voting.service import Voting
from projections.ratification import RatificationDocument
from realtime.hub import Hub
from web.controllers.votes import CredentialBody, vote_document
from web.identity import Account
from web.pages.document_pdf import document_pdf
from web.pages.i18n import choose_language
from web.pages.letters_pdf import LETTERS_PER_PART
from web.pages.viewer import page

PAGE_BASE = "/negotiations/{negotiation_id:uuid}/votes/{vote_id:uuid}"
CODE_PATTERN = re.compile(r"[^0-9A-F]")


async def _may_write_summaries(
    voting: Voting, negotiation_id: UUID, viewer: Account | None
) -> bool:
    """Whether this viewer writes the document's summaries (the negotiation's rule)."""
    if viewer is None:
        return False

    def check(negotiation: Negotiation) -> bool:
        try:
            negotiation.require_summary_writer(viewer.actor)
        except errors.NotPermitted:
            return False
        return True

    return await asyncio.to_thread(voting.negotiations.read, negotiation_id, check)


def _guardian(vote: Vote, viewer: Account | None) -> int | None:
    """The viewer's guardian number among the vote's officials, or None."""
    return None if viewer is None else vote.guardian_index(viewer.account_id)


def _voting(request: Request[Any, Any, Any]) -> Voting:
    voting: Voting = request.app.state.voting
    return voting


def _vote_page(
    request: Request[Any, Any, Any],
    template: str,
    negotiation_id: UUID,
    vote_id: UUID,
    vote: VoteState,
    **context: Any,
) -> Template:
    """A vote page with what every vote page's template and script address the vote by."""
    base = f"/negotiations/{negotiation_id}/votes/{vote_id.hex}"
    return page(
        request,
        template,
        vote=vote,
        vote_id=vote_id.hex,
        negotiation_id=str(negotiation_id),
        api=f"/api{base}",
        results_url=f"{base}/results",
        desk_url=f"{base}/officials",
        roll_url=f"{base}/roll",
        ballot_url=f"{base}/ballot",
        prepare_url=f"{base}/prepare",
        pdf_url=f"{base}/document.pdf",
        lookup_url=f"{base}/lookup",
        **context,
    )


class Lookup(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(max_length=200)]


class LookupView(msgspec.Struct, frozen=True):
    found: bool
    number: int | None
    ballots: int


def normal_code(text: str) -> str:
    """A tracking code as typed (any case, spaces, dashes) → the hex digits printed on it."""
    return CODE_PATTERN.sub("", text.upper())


class VotePages(Controller):
    include_in_schema = False

    @get(PAGE_BASE + "/ballot")
    async def ballot(
        self,
        request: Request[Any, Any, Any],
        negotiation_id: UUID,
        vote_id: UUID,
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
    ) -> Template:
        """The member's ballot: only the credential (in the link's fragment, or typed) is needed.
        The document is shown as the visitor may read it; the page's script fetches the rest
        with the credential (POST …/document), which never travels in an address."""
        voting = _voting(request)
        vote, document = await vote_document(voting, hub, pool, negotiation_id, vote_id, viewer)
        return _vote_page(
            request,
            "ballot.html",
            negotiation_id,
            vote_id,
            vote.state,
            document=document,
            may_write=await _may_write_summaries(voting, negotiation_id, viewer),
        )

    @get(PAGE_BASE + "/prepare")
    async def prepare(
        self,
        request: Request[Any, Any, Any],
        negotiation_id: UUID,
        vote_id: UUID,
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
    ) -> Template:
        """Where the union's chief negotiator writes the plain-language summaries of the
        document, before the vote opens (PUT …/summary from the page's script)."""
        voting = _voting(request)
        vote, document = await vote_document(voting, hub, pool, negotiation_id, vote_id, viewer)
        return _vote_page(
            request,
            "vote_prepare.html",
            negotiation_id,
            vote_id,
            vote.state,
            document=document,
            signed_in=viewer is not None,
            may_write=await _may_write_summaries(voting, negotiation_id, viewer),
            locked=vote.state.status != "called",
        )

    @get(PAGE_BASE + "/document.pdf")
    async def document_pdf(
        self,
        request: Request[Any, Any, Any],
        negotiation_id: UUID,
        vote_id: UUID,
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
    ) -> Response[bytes]:
        """The document as a PDF, as this viewer may read it (the page's rule: language agreed
        in a closed or members-only session is withheld from who may not read it there)."""
        vote, document = await vote_document(
            _voting(request), hub, pool, negotiation_id, vote_id, viewer
        )
        return await _pdf(request, vote.state, document, vote_id)

    @post(PAGE_BASE + "/document.pdf", status_code=200)
    async def voter_document_pdf(
        self,
        request: Request[Any, Any, Any],
        negotiation_id: UUID,
        vote_id: UUID,
        data: CredentialBody,
        hub: Hub,
        pool: asyncpg.Pool,
    ) -> Response[bytes]:
        """All of the document as a PDF, for a member on the roll (credential in the body)."""
        vote, document = await vote_document(
            _voting(request), hub, pool, negotiation_id, vote_id, None, data.credential
        )
        return await _pdf(request, vote.state, document, vote_id)

    @get(PAGE_BASE + "/officials", sync_to_thread=True)
    def officials(
        self,
        request: Request[Any, Any, Any],
        negotiation_id: UUID,
        vote_id: UUID,
        viewer: Account | None,
    ) -> Template:
        """The election officials' desk: key ceremony, turnout, close, decryption, certify."""
        voting = _voting(request)
        vote = voting.vote(negotiation_id, vote_id)
        return _vote_page(
            request,
            "vote_officials.html",
            negotiation_id,
            vote_id,
            vote.state,
            signed_in=viewer is not None,
            guardian=_guardian(vote, viewer),
        )

    @get(PAGE_BASE + "/roll", sync_to_thread=True)
    def roll(
        self,
        request: Request[Any, Any, Any],
        negotiation_id: UUID,
        vote_id: UUID,
        viewer: Account | None,
    ) -> Template:
        """The officials' roll and credentials: import a CSV (rejected rows and why), certify,
        issue the credentials for the mail merge, reissue a lost one."""
        voting = _voting(request)
        vote = voting.vote(negotiation_id, vote_id)
        me = _guardian(vote, viewer)
        on_roll = voting.store.turnout(vote_id.hex, by_group=False)["roll"] if me else 0
        return _vote_page(
            request,
            "vote_roll.html",
            negotiation_id,
            vote_id,
            vote.state,
            signed_in=viewer is not None,
            guardian=me,
            on_roll=on_roll,
            letters_per_part=LETTERS_PER_PART,
        )

    @get(PAGE_BASE + "/results", sync_to_thread=True)
    def results(
        self, request: Request[Any, Any, Any], negotiation_id: UUID, vote_id: UUID
    ) -> Template:
        """Public after certification; a voter can look up their tracking code any time (JS)."""
        return _results_page(request, negotiation_id, vote_id)

    # JSON in a POST body, not a query string: a tracking code in an address would sit in access
    # logs beside the voter's address, a link the ballot routes keep out of the log.
    @post(PAGE_BASE + "/lookup", status_code=200, sync_to_thread=True)
    def lookup(
        self, request: Request[Any, Any, Any], negotiation_id: UUID, vote_id: UUID, data: Lookup
    ) -> LookupView:
        """The voter's tracking code, found (or not) among the record's ballots."""
        voting = _voting(request)
        voting.vote(negotiation_id, vote_id)  # 404 for a vote of another negotiation
        ballots = voting.votes.ballot_records(vote_id)
        wanted = normal_code(data.code)[:40]
        if len(wanted) >= 16:  # the printed code's 20 digits; fewer could match another's
            for number, ballot in enumerate(ballots, start=1):
                if display_tracking_code(ballot.tracking_code).replace("-", "").startswith(wanted):
                    return LookupView(found=True, number=number, ballots=len(ballots))
        return LookupView(found=False, number=None, ballots=len(ballots))


async def _pdf(
    request: Request[Any, Any, Any], vote: VoteState, document: RatificationDocument, vote_id: UUID
) -> Response[bytes]:
    """The PDF from the same template as the page (ta_document.html), in the reader's language."""
    engine = request.app.template_engine
    if engine is None:  # never: the app is built with its templates (web/app.py)
        raise RuntimeError("The app has no template engine.")
    template = engine.get_template("ta_document_pdf.html")
    html = template.render(lang=choose_language(request), vote=vote, document=document)
    pdf = await asyncio.to_thread(document_pdf, html, document.negotiation_title)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="tentative-agreement-{vote_id.hex}.pdf"',
            "Vary": "Accept-Language, Cookie",
        },
    )


def _results_page(request: Request[Any, Any, Any], negotiation_id: UUID, vote_id: UUID) -> Template:
    voting = _voting(request)
    vote = voting.vote(negotiation_id, vote_id)
    s = vote.state
    outcome = None
    if s.status == "certified":
        counts = dict(zip(s.options, list(s.result or []), strict=True))
        record_hash = voting.certified_record_hash(negotiation_id, vote_id)
        outcome = {"outcome": s.outcome, "counts": counts, "record_hash": record_hash}
    return _vote_page(request, "results.html", negotiation_id, vote_id, s, outcome=outcome)
