"""Ratification votes over HTTP: call, officials, roll, ceremony, credentials, ballots, results.

Thin edges: decode, one call to the voting service, a view. The routes and the flow are written
down in docs/RATIFICATION-API.md. The ballot routes are left out of the access log (a line with
an address and a time beside the ballot order is a link between a voter and a ballot).
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

import asyncpg
import msgspec
from litestar import Controller, Litestar, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.di import Provide
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from msgspec import Meta
from psycopg_pool import ConnectionPool

from negotiation.ballots.ballot import display_tracking_code
from negotiation.ballots.ceremony import guardian_public_share
from negotiation.ballots.record import (
    BallotSubmission,
    CiphertextRecord,
    DecryptionShareRecord,
    ElectionRecord,
    GuardianRecord,
    ShareChallengeRecord,
    guardian_from,
)
from negotiation.domain import commands as nc
from negotiation.domain import errors
from negotiation.domain import vote_commands as c
from negotiation.domain.ratification import Vote
from negotiation.voting.service import Votes, Voting
from negotiation.voting.store import RollMember, VotingStore, csv_rows
from projections.ratification import RatificationDocument, ratification_document
from projections.views import audience_on
from realtime.hub import Hub
from web.controllers.reads import board_at
from web.identity import Account
from web.pages.letters_pdf import CREDENTIAL_COLUMNS, ballot_link, credential_letters

VID = "/{vote_id:uuid}"
Credential = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9 -]*$")]
# Access-log lines that would say when a member on the roll read the ballot or voted.
QUIET_PATHS = ("/ballots", "/my-status", "/document")
ROLL_MAX_BYTES = 128 * 1024 * 1024  # a national unit's roll (≈ 100 bytes a member as CSV)
LETTERS_MAX_BYTES = 2 * 1024 * 1024  # one part of the credentials CSV (≈ 300 bytes a member)


class Frozen(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    pass


# ------------------------------------------------------------------ wire types
# Bytes travel as base64 (msgspec's rule). The bodies below declare them as base64 strings
# so the schema says what a valid one looks like; `_decoded` turns them into the protocol's
# structs, and a string that is not base64 after all is a 422 with a sentence.
B64 = Annotated[str, Meta(max_length=400, pattern=r"^[A-Za-z0-9+/]*={0,2}$")]
T = TypeVar("T")


class ProofWire(Frozen, frozen=True):
    c: B64
    v: B64


class RangeProofWire(Frozen, frozen=True):
    c0: B64
    c1: B64
    v0: B64
    v1: B64


class CiphertextWire(Frozen, frozen=True):
    alpha: B64
    beta: B64


class BallotWire(Frozen, frozen=True):
    ciphertexts: Annotated[list[CiphertextWire], Meta(max_length=8)]
    range_proofs: Annotated[list[RangeProofWire], Meta(max_length=8)]
    sum_proof: ProofWire


class GuardianWire(Frozen, frozen=True):
    index: Annotated[int, Meta(ge=1, le=9)]
    commitments: Annotated[list[B64], Meta(max_length=9)]
    coefficient_proofs: Annotated[list[ProofWire], Meta(max_length=9)]
    transport_key: B64
    transport_proof: ProofWire


class DecryptionWire(Frozen, frozen=True):
    guardian: Annotated[int, Meta(ge=1, le=9)]
    shares: Annotated[list[B64], Meta(max_length=8)]
    proofs: Annotated[list[ProofWire], Meta(max_length=8)]


class SealedShareWire(Frozen, frozen=True):
    recipient: Annotated[int, Meta(ge=1, le=9)]
    ephemeral: B64
    nonce: B64
    sealed: B64


class PostSharesWire(Frozen, frozen=True):
    shares: Annotated[list[SealedShareWire], Meta(min_length=1, max_length=9)]


class ChallengeWire(Frozen, frozen=True):
    sender: Annotated[int, Meta(ge=1, le=9)]


class RevealWire(Frozen, frozen=True):
    recipient: Annotated[int, Meta(ge=1, le=9)]
    share: B64


def _decoded(wire: msgspec.Struct, target: type[T]) -> T:
    try:
        return msgspec.convert(msgspec.to_builtins(wire), target)
    except msgspec.ValidationError as bad:
        raise errors.InvalidRequest(
            f"A field is not valid base64 of the right kind: {bad}."
        ) from None


class CastBallotBody(Frozen, frozen=True):
    credential: Credential
    ballot: BallotWire


class CredentialBody(Frozen, frozen=True):
    credential: Credential


class SyncRoll(Frozen, frozen=True):
    members: Annotated[list[RollMember], Meta(max_length=500_000)]


class ImportRollCsv(Frozen, frozen=True):
    csv: Annotated[str, Meta(max_length=ROLL_MAX_BYTES, pattern=r"^[^\x00]*$")]


class LettersCsv(Frozen, frozen=True):
    csv: Annotated[str, Meta(max_length=LETTERS_MAX_BYTES, pattern=r"^[^\x00]*$")]


class QRRequest(Frozen, frozen=True):
    link: Annotated[str, Meta(min_length=1, max_length=500)]


class OfficialView(Frozen, frozen=True):
    guardian: int
    account_id: str
    name: str


class VoteView(Frozen, frozen=True):
    id: str
    negotiation_id: str
    status: str
    question: str
    options: list[str]
    threshold: str
    quorum: str | None
    opens_at: datetime
    closes_at: datetime
    document_hash: str
    officials: list[OfficialView]
    guardian_quorum: int
    roll_hash: str | None
    eligible: int
    credentials_issued: bool
    public_key: bytes | None
    ballots: int
    close_reason: str
    outcome: str | None
    purged: bool


class BallotContextView(Frozen, frozen=True):
    vote_id: str
    election_id: str
    question: str
    options: list[str]
    document_hash: bytes
    roll_hash: bytes
    public_key: bytes
    context_hash: bytes
    opens_at: datetime
    closes_at: datetime
    status: str


class CastView(Frozen, frozen=True):
    tracking_code: bytes
    display_code: str


class ShareView(Frozen, frozen=True):
    sender: int
    recipient: int
    ephemeral: bytes
    nonce: bytes
    sealed: bytes


class CeremonyView(Frozen, frozen=True):
    guardians: int
    quorum: int
    me: int
    ceremony_hash: bytes
    announcements: list[GuardianRecord]
    shares_for_me: list[ShareView]
    shares_posted_by: list[int]
    public_key: bytes | None
    public_shares: dict[int, bytes]
    confirmed: list[int]  # guardians whose received shares all check out
    challenges: list[ShareChallengeRecord]  # revealed: empty until the accused answers
    disqualified: list[int]  # guardians whose reveal failed: the ceremony restarts without them


class ResultsView(Frozen, frozen=True):
    counts: dict[str, int]
    turnout: int
    roll: int
    quorum_met: bool
    outcome: str
    certified: bool
    record_hash: str | None


class TallyView(Frozen, frozen=True):
    tally: list[CiphertextRecord]
    ballots: int


class PositionView(Frozen, frozen=True):
    position: int
    done: bool = True


# ------------------------------------------------------------------ wiring
class _QuietBallots(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > 2:
            path = str(args[2]).split("?")[0]
            return not ("/votes/" in path and path.endswith(QUIET_PATHS))
        return True


@asynccontextmanager
async def votes_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Builds the voting service beside the negotiations (after the main lifespan)."""
    config = app.state.database
    votes = await asyncio.to_thread(Votes, config.eventsourcing_env())
    pool: ConnectionPool[Any] = ConnectionPool(
        config.dsn(), min_size=1, max_size=8, open=False, name="voting-store"
    )
    await asyncio.to_thread(pool.open, True)
    store = VotingStore(pool)
    await asyncio.to_thread(store.create_schema)
    app.state.voting = Voting(app.state.negotiations, votes, store)
    quiet = _QuietBallots()
    logging.getLogger("uvicorn.access").addFilter(quiet)
    try:
        yield
    finally:
        logging.getLogger("uvicorn.access").removeFilter(quiet)
        await asyncio.to_thread(pool.close)
        await asyncio.to_thread(votes.close)


def provide_voting(state: State) -> Voting:
    voting: Voting = state.voting
    return voting


def _view(vote: Vote) -> VoteView:
    s = vote.state
    return VoteView(
        id=vote.id.hex,
        negotiation_id=s.negotiation_id,
        status=s.status,
        question=s.question,
        options=list(s.options),
        threshold=s.threshold,
        quorum=s.quorum,
        opens_at=s.opens_at,
        closes_at=s.closes_at,
        document_hash=s.document_hash,
        officials=[
            OfficialView(guardian=i, account_id=o.account_id, name=o.name)
            for i, o in enumerate(s.officials, start=1)
        ],
        guardian_quorum=s.guardian_quorum,
        roll_hash=s.roll_hash,
        eligible=s.eligible,
        credentials_issued=s.credentials_issued,
        public_key=s.public_key,
        ballots=s.ballots,
        close_reason=s.close_reason,
        outcome=s.outcome if s.status == "certified" else None,
        purged=s.purged,
    )


def _results(vote: Vote, counts: list[int], certified: bool, hash_: str | None) -> ResultsView:
    from negotiation.domain.ratification import outcome_of, quorum_met

    s = vote.state
    by_option = dict(zip(s.options, counts, strict=True))
    return ResultsView(
        counts=by_option,
        turnout=s.ballots,
        roll=s.eligible,
        quorum_met=quorum_met(s.quorum, s.ballots, s.eligible),
        outcome=outcome_of(s.threshold, s.quorum, by_option, s.ballots, s.eligible),
        certified=certified,
        record_hash=hash_,
    )


def _certified_results(voting: Voting, negotiation_id: UUID, vote_id: UUID) -> ResultsView:
    hash_ = voting.certified_record_hash(negotiation_id, vote_id)
    vote = voting.vote(negotiation_id, vote_id)
    return _results(vote, list(vote.state.result or []), True, hash_)


async def vote_document(
    voting: Voting,
    hub: Hub,
    pool: asyncpg.Pool,
    negotiation_id: UUID,
    vote_id: UUID,
    viewer: Account | None,
    credential: str | None = None,
) -> tuple[Vote, RatificationDocument]:
    """The vote and the document it is on, as this viewer may read it; with a credential on
    the vote's roll, all of it (a member reads exactly what they vote on). A credential not on
    the roll is refused (not_on_roll, 403)."""
    vote = await asyncio.to_thread(voting.vote, negotiation_id, vote_id)
    if credential is not None:
        await asyncio.to_thread(voting.store.credential_holder, vote_id.hex, credential)
    board = await board_at(hub, pool, str(negotiation_id), None)
    s = vote.state
    document = ratification_document(
        board,
        s.document_hash,
        s.summaries,
        s.overall_summary,
        audience_on(board, viewer),
        on_roll=credential is not None,
    )
    return vote, document


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _done(position: int) -> PositionView:
    return PositionView(position=position)


class VoteController(Controller):
    path = "/api/negotiations/{negotiation_id:uuid}/votes"
    tags = ("votes",)
    dependencies = {"voting": Provide(provide_voting, sync_to_thread=False)}  # noqa: RUF012

    # -------------------------------------------------------------- the vote itself
    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def call(
        self,
        negotiation_id: UUID,
        data: nc.CallRatificationVote,
        account: Account,
        voting: Voting,
    ) -> PositionView | dict[str, Any]:
        """The union chief (or an administrator) calls a vote on the whole TA."""
        done = voting.call_vote(negotiation_id, account.actor, data)
        return {"id": done.result, "position": done.position}

    @get("/", sync_to_thread=True)
    def list_votes(self, negotiation_id: UUID, voting: Voting) -> list[VoteView]:
        return [
            _view(voting.vote(negotiation_id, UUID(vote_id)))
            for vote_id in voting.vote_ids(negotiation_id)
        ]

    @get(VID, sync_to_thread=True)
    def show(self, negotiation_id: UUID, vote_id: UUID, voting: Voting) -> VoteView:
        return _view(voting.vote(negotiation_id, vote_id))

    @put(VID + "/officials", status_code=HTTP_200_OK, sync_to_thread=True)
    def appoint(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        data: c.AppointElectionOfficials,
        account: Account,
        voting: Voting,
    ) -> PositionView:
        done = voting.appoint_officials(negotiation_id, vote_id, account.actor, data)
        return _done(done.position)

    # -------------------------------------------------------------- roll
    @post(
        VID + "/roll.csv",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        request_max_body_size=ROLL_MAX_BYTES,
    )
    def import_roll(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        data: ImportRollCsv,
        account: Account,
        voting: Voting,
    ) -> Any:
        """The roll as CSV text inside JSON ({"csv": …}: request bodies are JSON, web/security.py),
        header member_id,name,email,phone,worksite,classification,language,good_standing;
        every rejected row comes back with its line and reason."""
        text = data.csv.lstrip("\ufeff")
        total = max(text.count("\n") - 1, 0)
        return voting.replace_roll(negotiation_id, vote_id, account.actor, csv_rows(text), total)

    @put(
        VID + "/roll",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        request_max_body_size=ROLL_MAX_BYTES,
    )
    def sync_roll(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        data: SyncRoll,
        account: Account,
        voting: Voting,
    ) -> Any:
        """The roll as JSON, replacing the vote's roll (the union's membership system syncs it)."""
        rows = [
            (n, {**msgspec.structs.asdict(m), "good_standing": "yes" if m.good_standing else "no"})
            for n, m in enumerate(data.members, start=1)
        ]
        return voting.replace_roll(negotiation_id, vote_id, account.actor, rows, len(rows))

    @get(VID + "/roll/progress", sync_to_thread=True)
    def roll_progress(
        self, negotiation_id: UUID, vote_id: UUID, account: Account, voting: Voting
    ) -> dict[str, Any]:
        return voting.roll_progress(negotiation_id, vote_id, account.actor)

    @post(VID + "/roll/certify", status_code=HTTP_200_OK, sync_to_thread=True)
    def certify_roll(
        self, negotiation_id: UUID, vote_id: UUID, account: Account, voting: Voting
    ) -> dict[str, Any]:
        done = voting.certify_roll(negotiation_id, vote_id, account.actor)
        vote = voting.vote(negotiation_id, vote_id)
        return {
            "roll_hash": vote.state.roll_hash,
            "eligible": vote.state.eligible,
            "position": done.position,
        }

    # -------------------------------------------------------------- key ceremony
    @get(VID + "/ceremony", sync_to_thread=True)
    def ceremony(
        self, negotiation_id: UUID, vote_id: UUID, account: Account, voting: Voting
    ) -> CeremonyView:
        vote = voting.require_official(negotiation_id, vote_id, account.actor)
        s = vote.state
        me = vote.guardian_index(account.account_id) or 0
        mine = [
            ShareView(sender, share.recipient, share.ephemeral, share.nonce, share.sealed)
            for sender, shares in sorted(s.shares.items())
            for share in shares
            if share.recipient == me
        ]
        announcements = [s.announcements[i] for i in sorted(s.announcements)]
        public_shares: dict[int, bytes] = {}
        if len(announcements) == vote.n and vote.n:
            decoded = [guardian_from(a) for a in announcements]
            public_shares = {
                i: bytes(guardian_public_share(decoded, i)) for i in range(1, vote.n + 1)
            }
        return CeremonyView(
            guardians=vote.n,
            quorum=s.guardian_quorum,
            me=me,
            ceremony_hash=vote.ceremony_hash if vote.n else b"",
            announcements=announcements,
            shares_for_me=mine,
            shares_posted_by=sorted(s.shares),
            public_key=s.public_key,
            public_shares=public_shares,
            confirmed=sorted(s.confirmed),
            challenges=list(s.challenges),
            disqualified=vote.disqualified_officials(),
        )

    @post(VID + "/ceremony/announcement", status_code=HTTP_200_OK, sync_to_thread=True)
    def announce(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        data: GuardianWire,
        account: Account,
        voting: Voting,
    ) -> PositionView:
        command = c.AnnounceGuardian(record=_decoded(data, GuardianRecord))
        return _done(voting.execute(negotiation_id, vote_id, account.actor, command).position)

    @post(VID + "/ceremony/shares", status_code=HTTP_200_OK, sync_to_thread=True)
    def post_shares(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        data: PostSharesWire,
        account: Account,
        voting: Voting,
    ) -> PositionView:
        command = _decoded(data, c.PostGuardianShares)
        return _done(voting.execute(negotiation_id, vote_id, account.actor, command).position)

    @post(VID + "/ceremony/confirm", status_code=HTTP_200_OK, sync_to_thread=True)
    def confirm_shares(
        self, negotiation_id: UUID, vote_id: UUID, account: Account, voting: Voting
    ) -> PositionView:
        command = c.ConfirmGuardianShares()
        return _done(voting.execute(negotiation_id, vote_id, account.actor, command).position)

    @post(VID + "/ceremony/challenge", status_code=HTTP_200_OK, sync_to_thread=True)
    def challenge_share(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        data: ChallengeWire,
        account: Account,
        voting: Voting,
    ) -> PositionView:
        command = c.ChallengeGuardianShare(sender=data.sender)
        return _done(voting.execute(negotiation_id, vote_id, account.actor, command).position)

    @post(VID + "/ceremony/reveal", status_code=HTTP_200_OK, sync_to_thread=True)
    def reveal_share(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        data: RevealWire,
        account: Account,
        voting: Voting,
    ) -> dict[str, Any]:
        """The challenged share in the clear; `outcome` is "revealed" (it matches the
        commitments) or "disqualified" (it does not: the ceremony restarts without you)."""
        command = _decoded(data, c.RevealGuardianShare)
        done = voting.execute(negotiation_id, vote_id, account.actor, command)
        return {"outcome": done.result, "position": done.position}

    @post(VID + "/ceremony/key", status_code=HTTP_200_OK, sync_to_thread=True)
    def publish_key(
        self, negotiation_id: UUID, vote_id: UUID, account: Account, voting: Voting
    ) -> dict[str, Any]:
        done = voting.execute(negotiation_id, vote_id, account.actor, c.PublishJointKey())
        return {"public_key": done.result, "position": done.position}

    # -------------------------------------------------------------- credentials
    @post(VID + "/credentials", status_code=HTTP_200_OK, sync_to_thread=True)
    def issue_credentials(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        request: Request[Any, Any, Any],
        account: Account,
        voting: Voting,
    ) -> Response[str]:
        """One credential per eligible member, as CSV for the union's mail merge. The codes
        exist only in this answer (the platform keeps their hashes)."""
        issued = voting.issue_credentials(negotiation_id, vote_id, account.actor)
        base = str(request.base_url).rstrip("/")
        rows = [
            {
                **msgspec.structs.asdict(member),
                "code": code,
                "link": ballot_link(base, negotiation_id, vote_id, code),
            }
            for member, code in issued
        ]
        columns = list(CREDENTIAL_COLUMNS)
        return Response(_csv(rows, columns), media_type="text/csv")

    @post(
        VID + "/credentials/{member_id:str}/reissue", status_code=HTTP_200_OK, sync_to_thread=True
    )
    def reissue(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        member_id: str,
        request: Request[Any, Any, Any],
        account: Account,
        voting: Voting,
    ) -> dict[str, str]:
        """A lost credential: the old one is void from now on (audited in the vote's log)."""
        code = voting.reissue_credential(negotiation_id, vote_id, account.actor, member_id)
        base = str(request.base_url).rstrip("/")
        link = ballot_link(base, negotiation_id, vote_id, code)
        return {"member_id": member_id, "code": code, "link": link}

    @post(
        VID + "/credentials/qr",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        media_type="image/svg+xml",
    )
    def qr(self, negotiation_id: UUID, vote_id: UUID, data: QRRequest) -> Response[bytes]:
        """The QR code (SVG) of a ballot link, for letters; nothing is stored."""
        import segno

        out = io.BytesIO()
        segno.make(data.link, error="m").save(out, kind="svg", scale=4)
        return Response(out.getvalue(), media_type="image/svg+xml")

    @post(
        VID + "/credentials/letters.pdf",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        request_max_body_size=LETTERS_MAX_BYTES + 1024,
    )
    def letters(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        data: LettersCsv,
        request: Request[Any, Any, Any],
        account: Account,
        voting: Voting,
    ) -> Response[bytes]:
        """Printable letters (PDF, one page a member, with the QR code of the link) from the
        credentials CSV saved at issuance ({"csv": …}, at most letters_pdf.LETTERS_PER_PART
        rows): the codes exist only in that file; nothing of it is stored."""
        vote = voting.require_official(negotiation_id, vote_id, account.actor)
        base = str(request.base_url).rstrip("/")
        pdf = credential_letters(voting, negotiation_id, vote, data.csv, base)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="letters-{vote_id.hex}.pdf"',
                "Cache-Control": "no-store",
            },
        )

    # -------------------------------------------------------------- open, cast
    @post(VID + "/open", status_code=HTTP_200_OK, sync_to_thread=True)
    def open_vote(
        self, negotiation_id: UUID, vote_id: UUID, account: Account, voting: Voting
    ) -> PositionView:
        return _done(voting.execute(negotiation_id, vote_id, account.actor, c.OpenVote()).position)

    @get(VID + "/ballot", sync_to_thread=True)
    def ballot_context(
        self, negotiation_id: UUID, vote_id: UUID, voting: Voting
    ) -> BallotContextView:
        """What the voter's browser encrypts to; it checks context_hash against its own."""
        vote = voting.vote(negotiation_id, vote_id)
        context = vote.context()
        return BallotContextView(
            vote_id=vote.id.hex,
            election_id=context.election_id,
            question=vote.state.question,
            options=list(context.options),
            document_hash=context.document_hash,
            roll_hash=context.roll_hash,
            public_key=bytes(context.public_key),
            context_hash=context.hash,
            opens_at=vote.state.opens_at,
            closes_at=vote.state.closes_at,
            status=vote.state.status,
        )

    # -------------------------------------------------------------- the document
    @put(VID + "/summary", status_code=HTTP_200_OK, sync_to_thread=True)
    def write_summary(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        data: c.WriteSummary,
        account: Account,
        voting: Voting,
    ) -> dict[str, Any]:
        """The union chief's plain-language summary of one TA'd article (without `article_id`:
        of the whole agreement), part of the document and its hash, until the vote opens."""
        done = voting.write_summary(negotiation_id, vote_id, account.actor, data)
        return {"document_hash": done.result, "position": done.position}

    @get(VID + "/document")
    async def document(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        viewer: Account | None,
        voting: Voting,
        hub: Hub,
        pool: asyncpg.Pool,
    ) -> RatificationDocument:
        """The whole TA this vote is on, as this viewer may read it: language agreed in a
        closed (or members-only) session is withheld from who may not read it there; the
        members on the roll read all of it with their credential (POST)."""
        return (await vote_document(voting, hub, pool, negotiation_id, vote_id, viewer))[1]

    @post(VID + "/document", status_code=HTTP_200_OK)
    async def voter_document(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        data: CredentialBody,
        voting: Voting,
        hub: Hub,
        pool: asyncpg.Pool,
    ) -> RatificationDocument:
        """All of the document, for a member on the roll (their credential in the body)."""
        _, document = await vote_document(
            voting, hub, pool, negotiation_id, vote_id, None, data.credential
        )
        return document

    @post(VID + "/ballots", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def cast(
        self, negotiation_id: UUID, vote_id: UUID, data: CastBallotBody, voting: Voting
    ) -> CastView:
        """A member casts a ballot with their credential (no account). The answer is the
        tracking code, the receipt to find in the public record."""
        ballot = _decoded(data.ballot, BallotSubmission)
        code = voting.cast(negotiation_id, vote_id, data.credential, c.CastBallot(ballot=ballot))
        return CastView(tracking_code=code, display_code=display_tracking_code(code))

    @post(VID + "/my-status", status_code=HTTP_200_OK, sync_to_thread=True)
    def my_status(
        self, negotiation_id: UUID, vote_id: UUID, data: CredentialBody, voting: Voting
    ) -> dict[str, bool]:
        return {"voted": voting.own_status(negotiation_id, vote_id, data.credential)}

    # -------------------------------------------------------------- turnout, participation
    @get(VID + "/turnout", sync_to_thread=True)
    def turnout(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        request: Request[Any, Any, Any],
        viewer: Account | None,
        voting: Voting,
    ) -> dict[str, Any]:
        """Count and share of the roll: for signed-in people and members (send the credential
        in the X-Credential header); never a choice. By worksite and classification for the
        election officials only: a small group's turnout is who voted (DOMAIN.md, who sees what)."""
        vote = voting.vote(negotiation_id, vote_id)
        if viewer is None:
            code = request.headers.get("x-credential", "")
            if not code:
                raise errors.NotPermitted(
                    "Turnout is for the unit's members: sign in or send your credential."
                )
            voting.store.credential_holder(vote_id.hex, code)
        official = viewer is not None and vote.is_official(viewer.account_id)
        return voting.store.turnout(vote_id.hex, by_group=official)

    @get(VID + "/participation", sync_to_thread=True)
    def participation(
        self, negotiation_id: UUID, vote_id: UUID, account: Account, voting: Voting
    ) -> list[dict[str, Any]]:
        """Who has voted (by day): election officials only (DOMAIN.md, who sees what)."""
        voting.require_official(negotiation_id, vote_id, account.actor)
        rows = voting.store.participation(vote_id.hex, voted=True)
        keep = ("member_id", "name", "worksite", "classification", "voted_on")
        return [{k: r[k] for k in keep} for r in rows]

    @get(VID + "/not-voted.csv", sync_to_thread=True)
    def not_voted(
        self, negotiation_id: UUID, vote_id: UUID, account: Account, voting: Voting
    ) -> Response[str]:
        """Members who have not voted yet, with their contact data, for the union's reminders."""
        voting.require_official(negotiation_id, vote_id, account.actor)
        rows = voting.store.participation(vote_id.hex, voted=False)
        columns = ["member_id", "name", "email", "phone", "worksite", "classification", "language"]
        return Response(_csv(rows, columns), media_type="text/csv")

    # -------------------------------------------------------------- close, decrypt, certify
    @post(VID + "/close", status_code=HTTP_200_OK, sync_to_thread=True)
    def close(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        data: c.CloseVote,
        account: Account,
        voting: Voting,
    ) -> PositionView:
        return _done(voting.execute(negotiation_id, vote_id, account.actor, data).position)

    @get(VID + "/tally", sync_to_thread=True)
    def tally(self, negotiation_id: UUID, vote_id: UUID, voting: Voting) -> TallyView:
        """The encrypted sum of the accepted ballots, once the vote has closed."""
        vote = voting.vote(negotiation_id, vote_id)
        if vote.state.status not in ("closed", "certified"):
            raise errors.VoteStepRefused("The tally is published when the vote closes.")
        return TallyView(tally=list(vote.state.tally), ballots=vote.state.ballots)

    @post(VID + "/decryptions", status_code=HTTP_200_OK, sync_to_thread=True)
    def decrypt(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        data: DecryptionWire,
        account: Account,
        voting: Voting,
    ) -> PositionView:
        command = c.PostPartialDecryption(share=_decoded(data, DecryptionShareRecord))
        return _done(voting.execute(negotiation_id, vote_id, account.actor, command).position)

    @post(VID + "/certify", status_code=HTTP_200_OK, sync_to_thread=True)
    def certify(
        self, negotiation_id: UUID, vote_id: UUID, account: Account, voting: Voting
    ) -> ResultsView:
        voting.certify(negotiation_id, vote_id, account.actor)
        return _certified_results(voting, negotiation_id, vote_id)

    @get(VID + "/results", sync_to_thread=True)
    def results(
        self, negotiation_id: UUID, vote_id: UUID, viewer: Account | None, voting: Voting
    ) -> ResultsView:
        """Everyone after certification; the officials as soon as k shares decrypt it."""
        vote = voting.vote(negotiation_id, vote_id)
        if vote.state.status == "certified":
            return _certified_results(voting, negotiation_id, vote_id)
        if viewer is None or not vote.is_official(viewer.account_id):
            raise errors.NotPermitted("The results are public once the tally is certified.")
        if vote.state.status != "closed":
            raise errors.VoteStepRefused("There are results only after the vote closes.")
        return _results(vote, vote.counts(), False, None)

    @get(VID + "/record", sync_to_thread=True)
    def record(self, negotiation_id: UUID, vote_id: UUID, voting: Voting) -> ElectionRecord:
        """The public election record: anyone can re-check it (negotiation verify-vote)."""
        return voting.record(negotiation_id, vote_id)

    @get(VID + "/results.pdf", sync_to_thread=True)
    def results_pdf(self, negotiation_id: UUID, vote_id: UUID, voting: Voting) -> Response[bytes]:
        from negotiation.voting.results_pdf import results_pdf

        vote = voting.vote(negotiation_id, vote_id)
        if vote.state.status != "certified":
            raise errors.VoteStepRefused("The results PDF exists once the tally is certified.")
        view = _certified_results(voting, negotiation_id, vote_id)
        pdf = results_pdf(vote, msgspec.to_builtins(view))
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="results-{vote_id.hex}.pdf"'},
        )

    @post(VID + "/purge", status_code=HTTP_200_OK, sync_to_thread=True)
    def purge(
        self, negotiation_id: UUID, vote_id: UUID, account: Account, voting: Voting
    ) -> PositionView:
        """After the retention period: contact data, credential hashes and participation go."""
        return _done(voting.purge(negotiation_id, vote_id, account.actor).position)

