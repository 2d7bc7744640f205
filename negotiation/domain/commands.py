"""Every command a negotiation takes, declared once: frozen msgspec Structs with their bounds.

The web edge decodes a request body into a command (or into its `...Body` base, the part that
travels in the body, then adds the ids from the URL); the application runs any command through
one path; the aggregate method named after the command (`TableProposal` → `table_proposal`)
checks the rules. Adding a command is one struct here, one aggregate method and one route.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, TypeVar

import msgspec
from msgspec import Meta

from negotiation.domain import errors
from negotiation.domain.actors import Actor, Party, TeamRole
from negotiation.domain.articles import Category
from negotiation.domain.ground_rules import GroundRules, Visibility

# Bounds keep absurd inputs out before the rules run (the aggregate checks again, in words).
# NUL cannot be stored in PostgreSQL text, so it is refused at the door.
NO_NUL = r"^[^\x00]*$"
Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=NO_NUL)]
ShortText = Annotated[str, Meta(max_length=2_000, pattern=NO_NUL)]
LongText = Annotated[str, Meta(max_length=200_000, pattern=NO_NUL)]
Id = Annotated[str, Meta(min_length=1, max_length=64, pattern=NO_NUL)]
AwareDatetime = Annotated[datetime, Meta(tz=True)]
Language = Annotated[str, Meta(max_length=40, pattern=NO_NUL)]

C = TypeVar("C", bound="Command")


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).lower()


class Command(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Base of every command: immutable, unknown fields refused, fields named at the call."""

    handler: ClassVar[str]  # the aggregate method that decides it, from the class name

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.handler = _snake(cls.__name__)


def command_of(command_type: type[C], fields: dict[str, Any]) -> C:
    """A command from keyword fields (scripts, tests, the URL's ids plus a decoded body),
    with its types and bounds checked as if it had come over the wire."""
    try:
        return msgspec.convert(fields, command_type)
    except msgspec.ValidationError as invalid:
        raise errors.InvalidRequest(f"{command_type.__name__}: {invalid}.") from None


def with_ids(command_type: type[C], body: Command | None = None, **ids: str) -> C:
    """The command for a request: its body (already decoded and checked at the edge) plus the
    ids the URL names, taken as they are: an id that names nothing is the aggregate's
    "not found", not a malformed request."""
    fields = msgspec.structs.asdict(body) if body is not None else {}
    return command_type(**fields, **ids)


# ------------------------------------------------------------------ bodies shared by many acts
class AsReceived(Command, frozen=True, kw_only=True):
    """Body of acts that need no other input; as_received records the other party's act."""

    as_received: bool = False


# ------------------------------------------------------------------ teams
class AddTeamMember(Command, frozen=True, kw_only=True):
    member: Actor
    party: Party
    role: TeamRole = "member"


class RemoveTeamMember(Command, frozen=True, kw_only=True):
    account_id: Id


class NameChiefNegotiator(Command, frozen=True, kw_only=True):
    account_id: Id


class AppointFacilitator(Command, frozen=True, kw_only=True):
    facilitator: Actor


# ------------------------------------------------------------------ ground rules
class ProposeGroundRules(Command, frozen=True, kw_only=True):
    rules: GroundRules
    as_received: bool = False


class AgreeGroundRules(AsReceived, frozen=True, kw_only=True):
    offer_id: Id


# ------------------------------------------------------------------ articles
class OpenArticle(Command, frozen=True, kw_only=True):
    number: Annotated[str, Meta(min_length=1, max_length=20, pattern=NO_NUL)]
    title: Name
    category: Category
    current_language: LongText = ""
    as_received: bool = False


class RequestLateArticle(OpenArticle, frozen=True, kw_only=True):
    """After the cut-off: a new subject that opens only if the other party's chief consents."""


class ConsentToLateArticle(AsReceived, frozen=True, kw_only=True):
    request_id: Id


class WithdrawArticle(AsReceived, frozen=True, kw_only=True):
    article_id: Id


class ConsentToReopen(AsReceived, frozen=True, kw_only=True):
    article_id: Id


# ------------------------------------------------------------------ drafts
class DraftProposal(Command, frozen=True, kw_only=True):
    article_id: Id
    text: LongText


class ReviseDraftBody(Command, frozen=True, kw_only=True):
    text: LongText
    expected_revision: int | None = None


class ReviseDraft(ReviseDraftBody, frozen=True, kw_only=True):
    draft_id: Id


class TableDraftBody(Command, frozen=True, kw_only=True):
    answers: Id | None = None
    revises: Id | None = None


class TableDraft(TableDraftBody, frozen=True, kw_only=True):
    draft_id: Id


# ------------------------------------------------------------------ proposals
class TableProposalBody(Command, frozen=True, kw_only=True):
    """A counterproposal names the other side's latest in `answers`; a revision of your
    side's unanswered proposal names it in `revises`."""

    text: LongText
    answers: Id | None = None
    revises: Id | None = None
    as_received: bool = False
    expected_revision: int | None = None


class TableProposal(TableProposalBody, frozen=True, kw_only=True):
    article_id: Id


class WithdrawProposal(AsReceived, frozen=True, kw_only=True):
    article_id: Id
    proposal_id: Id


class SignTA(AsReceived, frozen=True, kw_only=True):
    article_id: Id
    proposal_id: Id


# ------------------------------------------------------------------ packages
class PackageItem(Command, frozen=True, kw_only=True):
    article_id: Id
    text: LongText
    answers: Id | None = None
    revises: Id | None = None


class TablePackage(Command, frozen=True, kw_only=True):
    items: Annotated[list[PackageItem], Meta(min_length=2, max_length=100)]
    as_received: bool = False


class AcceptPackage(AsReceived, frozen=True, kw_only=True):
    package_id: Id


class WithdrawPackage(AsReceived, frozen=True, kw_only=True):
    package_id: Id


# ------------------------------------------------------------------ sessions
class ScheduleSession(Command, frozen=True, kw_only=True):
    visibility: Visibility
    location: ShortText
    starts_at: AwareDatetime
    title: Annotated[str, Meta(max_length=200, pattern=NO_NUL)] = ""
    capacity: Annotated[int, Meta(ge=0, le=1_000_000)] | None = None
    livestream_url: Annotated[str, Meta(max_length=2_000, pattern=NO_NUL)] | None = None
    languages: Annotated[list[Language], Meta(max_length=20)] = []


class SessionCommand(Command, frozen=True, kw_only=True):
    session_id: Id


class OpenSession(SessionCommand, frozen=True, kw_only=True):
    pass


class RecessSession(SessionCommand, frozen=True, kw_only=True):
    pass


class ResumeSession(SessionCommand, frozen=True, kw_only=True):
    pass


class CloseSession(SessionCommand, frozen=True, kw_only=True):
    """Closing a session ends any caucus."""


class CallCaucus(SessionCommand, frozen=True, kw_only=True):
    pass


class EndCaucus(SessionCommand, frozen=True, kw_only=True):
    pass


class ChangeSessionVisibilityBody(Command, frozen=True, kw_only=True):
    visibility: Visibility


class ChangeSessionVisibility(ChangeSessionVisibilityBody, frozen=True, kw_only=True):
    session_id: Id


class SetAgendaBody(Command, frozen=True, kw_only=True):
    article_ids: Annotated[list[Id], Meta(max_length=500)]


class SetAgenda(SetAgendaBody, frozen=True, kw_only=True):
    session_id: Id


class BringToTableBody(Command, frozen=True, kw_only=True):
    article_id: Id


class BringToTable(BringToTableBody, frozen=True, kw_only=True):
    session_id: Id


class CountAttendanceBody(Command, frozen=True, kw_only=True):
    count: Annotated[int, Meta(ge=0, le=10_000_000)]


class CountAttendance(CountAttendanceBody, frozen=True, kw_only=True):
    session_id: Id


class RecordTeamNote(Command, frozen=True, kw_only=True):
    text: LongText
    session_id: Id | None = None
    article_id: Id | None = None


class PublishBulletinBody(Command, frozen=True, kw_only=True):
    text: LongText
    text_es: LongText | None = None  # the same bulletin in Spanish (optional)


class PublishBulletin(PublishBulletinBody, frozen=True, kw_only=True):
    session_id: Id


# ------------------------------------------------------------------ livestream overlays
# The producer's cues (a team member of either party or the facilitator). Which graphics are on
# air is the stream's set-up, kept by the negotiation across sessions; the speaker lower third
# belongs to the session it is shown in, and is seen by whoever may follow that session.
OverlayGraphic = Literal["lower-third", "ta-counter", "caucus", "clock", "reactions"]
GRAPHIC_NAMES: dict[str, str] = {  # each OverlayGraphic as a refusal or the audit names it
    "lower-third": "lower third",
    "ta-counter": "TA counter",
    "caucus": "caucus slate",
    "clock": "session clock",
    "reactions": "reaction meter",
}


class HideOverlayGraphic(Command, frozen=True, kw_only=True):
    graphic: OverlayGraphic


class ShowOverlayGraphic(Command, frozen=True, kw_only=True):
    graphic: OverlayGraphic


class TakeSpeakerToAirBody(Command, frozen=True, kw_only=True):
    name: Annotated[str, Meta(min_length=1, max_length=120, pattern=NO_NUL)]
    title: Annotated[str, Meta(max_length=160, pattern=NO_NUL)] = ""


class TakeSpeakerToAir(TakeSpeakerToAirBody, frozen=True, kw_only=True):
    session_id: Id


class ClearSpeaker(SessionCommand, frozen=True, kw_only=True):
    pass


# ------------------------------------------------------------------ reactions (red/green cards)
Count = Annotated[int, Meta(ge=0, le=10_000_000)]


class CloseReactionTotals(SessionCommand, frozen=True, kw_only=True):
    """The platform closes the card totals of an article's turn on the table once it has left
    the table (realtime/cards.py counts the cards live; individual cards are never stored)."""

    article_id: Id
    turn: Annotated[int, Meta(ge=1)]  # which time this session the article was on the table
    red: Count
    green: Count
    peak_red: Count
    peak_green: Count


# ------------------------------------------------------------------ opening a negotiation
class OpenNegotiation(Command, frozen=True, kw_only=True):
    """Open a bargaining table; the opener becomes chief negotiator of `opener_party`."""

    title: Name
    kind: Name  # the aggregate names the kinds it knows when refusing another
    bargaining_unit: Name
    union_name: Name
    employer_name: Name
    opener_party: Party
    other_chief: Actor | None = None
    facilitator: Actor | None = None


# ------------------------------------------------------------------ ratification
# On the negotiation: calling the vote (union chief or administrator) and, once the tally is
# certified, its outcome. The vote aggregate's own commands are in vote_commands.py.
Share = Annotated[str, Meta(pattern=r"^(?!.*\x00)(majority|[1-9][0-9]?/[1-9][0-9]?)$")]
OptionName = Annotated[str, Meta(min_length=1, max_length=40, pattern=NO_NUL)]


class CallRatificationVote(Command, frozen=True, kw_only=True):
    question: Annotated[str, Meta(min_length=1, max_length=500, pattern=NO_NUL)]
    options: Annotated[list[OptionName], Meta(min_length=2, max_length=3)] = msgspec.field(
        default_factory=lambda: ["yes", "no"]
    )
    threshold: Share = "majority"  # on yes / (yes + no)
    quorum: Share | None = None  # turnout ≥ that share of the roll
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    retention_days: Annotated[int, Meta(ge=0, le=3650)] = 90


class RecordVoteOutcome(Command, frozen=True, kw_only=True):
    """The certified outcome of a vote, recorded on its negotiation by the voting service."""

    vote_id: Id
    outcome: Annotated[str, Meta(pattern=r"^(?!.*\x00)(ratified|rejected|quorum_missed)$")]
    counts: dict[OptionName, int]
    record_hash: Annotated[str, Meta(pattern=r"^(?!.*\x00)[0-9a-z]{1,64}$")]
