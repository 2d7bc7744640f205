"""HTML pages of a ratification vote: the member's ballot, the officials' desk, the results."""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.response import Template

from negotiation.ballots.ballot import display_tracking_code
from negotiation.domain.negotiation import Negotiation
from negotiation.domain.ratification import Vote, VoteState
from negotiation.voting.service import Voting
from projections.redline import redline
from web.identity import Account
from web.pages.viewer import page

PAGE_BASE = "/negotiations/{negotiation_id:uuid}/votes/{vote_id:uuid}"
CODE_PATTERN = re.compile(r"[^0-9A-F]")


class DocumentArticle(msgspec.Struct, frozen=True):
    """One agreed article of the whole TA as the ballot shows it: against the current contract."""

    number: str
    title: str
    redline_html: str
    words_inserted: int
    words_deleted: int
    unchanged: bool


def _document(negotiation: Negotiation) -> tuple[str, str, list[DocumentArticle]]:
    """The negotiation's title, the whole TA the vote is on, and its hash now (the page shows
    whether it is the same), read in one go."""
    articles = []
    for a in sorted(negotiation.state.articles.values(), key=lambda a: a.number):
        if a.status != "agreed":
            continue
        marks = redline(a.current_language or "", a.agreed_text())
        articles.append(
            DocumentArticle(
                number=a.number,
                title=a.title,
                redline_html=marks.html(),
                words_inserted=marks.words_inserted,
                words_deleted=marks.words_deleted,
                unchanged=(a.current_language or "") == a.agreed_text(),
            )
        )
    return negotiation.state.title, negotiation.document_hash(), articles


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

    @get(PAGE_BASE + "/ballot", sync_to_thread=True)
    def ballot(
        self, request: Request[Any, Any, Any], negotiation_id: UUID, vote_id: UUID
    ) -> Template:
        """The member's ballot: only the credential (in the link's fragment, or typed) is needed."""
        voting = _voting(request)
        vote = voting.vote(negotiation_id, vote_id)
        title, current_hash, articles = voting.negotiations.read(negotiation_id, _document)
        return _vote_page(
            request,
            "ballot.html",
            negotiation_id,
            vote_id,
            vote.state,
            negotiation_title=title,
            articles=articles,
            document_matches=current_hash == vote.state.document_hash,
        )

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
