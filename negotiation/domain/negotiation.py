"""The Negotiation aggregate: one bargaining table, the consistency boundary for all its rules.

Commands (public methods, each taking its struct from `commands.py`, reached by `execute`) check
every rule, make ids and timestamps, then trigger past-tense events stamped with who acted; event
methods (decorated with @event) only assign state, because they run again on every replay. Rules
that belong to one article, package, session or the ground rules are methods on those types.
All state lives in one msgspec Struct (``self.state``) so snapshots round-trip with their types.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar
from uuid import uuid4

import msgspec
from eventsourcing.domain import Aggregate, Snapshot, event
from eventsourcing.utils import get_topic, resolve_topic

from negotiation.domain import commands as c
from negotiation.domain import errors
from negotiation.domain.actors import (
    FACILITATOR,
    PARTIES,
    PLATFORM,
    PLATFORM_ACCOUNT,
    Actor,
    Party,
    Stamp,
    TeamMember,
    TeamRole,
    other_party,
    runs_sessions,
    speaks_for_party,
    stamp,
)
from negotiation.domain.articles import (
    Article,
    Category,
    Draft,
    LateArticleRequest,
    Package,
    Proposal,
    WholeTentativeAgreement,
)
from negotiation.domain.document import DocumentText, document_hash
from negotiation.domain.ground_rules import UNTIL_AGREED, GroundRules, GroundRulesOffer, Visibility
from negotiation.domain.sessions import Bulletin, Caucus, Session, Speaker, TeamNote

KINDS = ("collective_bargaining", "meet_and_confer", "community_agreement")
MAX_TEXT = 200_000


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid4().hex


R = TypeVar("R")
C = TypeVar("C", bound=c.Command)


def takes(
    command_type: type[C],
) -> Callable[[Callable[[Negotiation, Actor, C], R]], Callable[..., R]]:
    """A command method takes its command struct; scripts and tests may pass the struct's fields
    as keywords instead, checked as if they had come over the wire."""

    def decorate(method: Callable[[Negotiation, Actor, C], R]) -> Callable[..., R]:
        @functools.wraps(method)
        def call(self: Negotiation, actor: Actor, command: C | None = None, /, **fields: Any) -> R:
            if command is None:
                command = c.command_of(command_type, fields)
            elif fields or not isinstance(command, command_type):
                raise TypeError(f"{method.__name__} takes one {command_type.__name__}")
            return method(self, actor, command)

        return call

    return decorate


class PartyInfo(msgspec.Struct):
    name: str


class NegotiationState(msgspec.Struct):
    title: str
    kind: str
    bargaining_unit: str
    parties: dict[str, PartyInfo]
    opened_at: datetime
    team: dict[str, TeamMember] = msgspec.field(default_factory=dict)
    facilitators: dict[str, str] = msgspec.field(default_factory=dict)
    ground_rules: GroundRules | None = None
    ground_rules_offer: GroundRulesOffer | None = None
    articles: dict[str, Article] = msgspec.field(default_factory=dict)
    late_requests: dict[str, LateArticleRequest] = msgspec.field(default_factory=dict)
    drafts: dict[str, Draft] = msgspec.field(default_factory=dict)
    packages: dict[str, Package] = msgspec.field(default_factory=dict)
    sessions: dict[str, Session] = msgspec.field(default_factory=dict)
    notes: list[TeamNote] = msgspec.field(default_factory=list)
    whole_ta: WholeTentativeAgreement | None = None
    ratification: Ratification | None = None
    hidden_graphics: list[str] = msgspec.field(default_factory=list)  # overlays taken off air


class Ratification(msgspec.Struct):
    """The negotiation's side of its latest ratification vote (the vote is its own aggregate)."""

    vote_id: str
    document_hash: str
    status: str = "called"  # → "ratified"; a no or a missed quorum clears it (back at the table)


class NegotiationSnapshot(Snapshot):
    """Snapshot whose state is the msgpack of the typed NegotiationState, so it decodes back
    into Structs rather than plain dicts (another aggregate's snapshot names its own decoder)."""

    decoder: ClassVar[msgspec.msgpack.Decoder[Any]] = msgspec.msgpack.Decoder(NegotiationState)

    @classmethod
    def take(cls, aggregate: Any) -> NegotiationSnapshot:
        return cls(
            originator_id=aggregate.id,
            originator_version=aggregate.version,
            timestamp=cls.create_timestamp(),
            topic=get_topic(type(aggregate)),
            state={
                "_created_on": aggregate.created_on,
                "_modified_on": aggregate.modified_on,
                "state": _STATE_ENCODER.encode(aggregate.state),
            },
        )

    def mutate(self, _: None) -> Any:
        cls = resolve_topic(self.topic)
        aggregate = object.__new__(cls)
        object.__setattr__(
            aggregate,
            "__dict__",
            {
                "_id": self.originator_id,
                "_version": self.originator_version,
                "_pending_events": [],
                "_created_on": self.state["_created_on"],
                "_modified_on": self.state["_modified_on"],
                "state": self.decoder.decode(self.state["state"]),
            },
        )
        return aggregate


_STATE_ENCODER = msgspec.msgpack.Encoder()


class Negotiation(Aggregate):
    state: NegotiationState
    Snapshot = NegotiationSnapshot

    # ------------------------------------------------------------------ creation
    @classmethod
    def open(
        cls, *, actor: Actor, command: c.OpenNegotiation | None = None, **fields: Any
    ) -> Negotiation:
        """Open a bargaining table; the opener becomes chief negotiator of `opener_party`."""
        command = command or c.command_of(c.OpenNegotiation, fields)
        title, kind, bargaining_unit = command.title, command.kind, command.bargaining_unit
        union_name, employer_name = command.union_name, command.employer_name
        opener_party, other_chief = command.opener_party, command.other_chief
        facilitator = command.facilitator
        if kind not in KINDS:
            raise errors.InvalidRequest(
                f"Unknown kind of negotiation {kind!r}; use one of {KINDS}."
            )
        for label, value in (
            ("title", title),
            ("bargaining unit", bargaining_unit),
            ("union name", union_name),
            ("employer name", employer_name),
        ):
            if not value.strip():
                raise errors.InvalidRequest(f"The {label} cannot be empty.")
        if other_chief is not None and other_chief.account_id == actor.account_id:
            raise errors.InvalidRequest("One person cannot be chief negotiator of both parties.")
        chiefs: list[dict[str, Any]] = [
            {"account_id": actor.account_id, "name": actor.name, "party": opener_party}
        ]
        if other_chief is not None:
            chiefs.append(
                {
                    "account_id": other_chief.account_id,
                    "name": other_chief.name,
                    "party": other_party(opener_party),
                }
            )
        return cls(
            title=title.strip(),
            kind=kind,
            bargaining_unit=bargaining_unit.strip(),
            parties={"union": union_name.strip(), "employer": employer_name.strip()},
            chiefs=chiefs,
            facilitator=(
                {"account_id": facilitator.account_id, "name": facilitator.name}
                if facilitator
                else None
            ),
            at=_now(),
            by=stamp(actor, opener_party),
        )

    @event("Opened")
    def __init__(
        self,
        title: str,
        kind: str,
        bargaining_unit: str,
        parties: dict[str, str],
        chiefs: list[dict[str, Any]],
        facilitator: dict[str, str] | None,
        at: datetime,
        by: Stamp,
    ) -> None:
        self.state = NegotiationState(
            title=title,
            kind=kind,
            bargaining_unit=bargaining_unit,
            parties={p: PartyInfo(name=n) for p, n in parties.items()},
            opened_at=at,
        )
        for chief in chiefs:
            self.state.team[chief["account_id"]] = TeamMember(
                account_id=chief["account_id"],
                name=chief["name"],
                party=chief["party"],
                role="chief",
            )
        if facilitator:
            self.state.facilitators[facilitator["account_id"]] = facilitator["name"]

    # ------------------------------------------------------------------ who may act
    def party_of(self, account_id: str) -> Party | None:
        member = self.state.team.get(account_id)
        return member.party if member else None

    def is_facilitator(self, account_id: str) -> bool:
        return account_id in self.state.facilitators

    def party_on_platform(self, party: Party) -> bool:
        return any(m.party == party for m in self.state.team.values())

    def _team_party(self, actor: Actor) -> Party:
        party = self.party_of(actor.account_id)
        if party is None:
            raise errors.NotOnTeam(
                f"{actor.name} is not on either bargaining team of this negotiation."
            )
        return party

    def _acting_party(self, actor: Actor, as_received: bool) -> Party:
        """The party an act is for: the actor's own, or the other one 'as received'.

        Where the other party does not use the platform, a team records that party's acts as
        received across the table; the event says so.
        """
        own = self._team_party(actor)
        if not as_received:
            return own
        other = other_party(own)
        if self.party_on_platform(other):
            raise errors.NotPermitted(
                f"The {other} team records its own acts on the platform; "
                f"the {own} team cannot record them as received."
            )
        return other

    def _require_chief(self, actor: Actor, party: Party | None = None) -> Party:
        own = self._team_party(actor)
        if not speaks_for_party(self.state.team[actor.account_id].role):
            raise errors.ChiefNegotiatorOnly(
                f"Only the {own} chief negotiator may do this; {actor.name} is a team member."
            )
        if party is not None and own != party:
            raise errors.NotOnTeam(f"{actor.name} is not on the {party} team.")
        return own

    def role_at_table(self, account_id: str) -> str | None:
        """The facilitator's role, a team member's (chief or member), or None (off the table)."""
        if self.is_facilitator(account_id):
            return FACILITATOR
        member = self.state.team.get(account_id)
        return member.role if member is not None else None

    def _require_session_manager(self, actor: Actor) -> None:
        role = self.role_at_table(actor.account_id)
        if role is not None and runs_sessions(role):
            return
        own = self._team_party(actor)  # anyone off the teams is refused here
        raise errors.ChiefNegotiatorOnly(
            f"Only the {own} chief negotiator or the facilitator runs the sessions; "
            f"{actor.name} is a team member."
        )

    @property
    def rules_in_force(self) -> GroundRules:
        """The agreed ground rules, or what binds until they are agreed (closed sessions)."""
        return self.state.ground_rules or UNTIL_AGREED

    def _require_ground_rules(self) -> GroundRules:
        if self.state.ground_rules is None:
            raise errors.GroundRulesNotAgreed(
                "Ground rules come first: both parties must agree them before articles are opened."
            )
        return self.state.ground_rules

    @property
    def running_session(self) -> Session | None:
        for session in self.state.sessions.values():
            if session.running:
                return session
        return None

    def _require_at_table(self) -> tuple[str | None, bool]:
        """Acts across the table need an open session, not in caucus or recess.

        Between sessions they are allowed only if the ground rules allow written exchange;
        returns (session id, delivered in writing).
        """
        session = self.running_session
        if session is not None:
            session.require_at_table()
            return session.session_id, False
        if self.rules_in_force.written_exchange_allowed:
            return None, True
        raise errors.NotAtTheTable(
            "No session is open, and the ground rules do not allow exchanges in writing between "
            "sessions."
        )

    def _article(self, article_id: str) -> Article:
        article = self.state.articles.get(article_id)
        if article is None:
            raise errors.NotFound(f"No article {article_id!r} in this negotiation.")
        return article

    def _open_article(self, article_id: str, expected_revision: int | None = None) -> Article:
        article = self._article(article_id)
        article.require_open(expected_revision)
        return article

    def _live_package_of(self, proposal: Proposal) -> Package | None:
        """The live package a proposal is an item of, if any: its items move only together."""
        package = self.state.packages.get(proposal.package_id or "")
        return package if package is not None and package.live else None

    def _require_new_number(self, number: str) -> None:
        if any(a.number == number for a in self.state.articles.values()):
            raise errors.RuleRefused(f"Article {number} is already open in this negotiation.")

    def execute(self, actor: Actor, command: c.Command) -> Any:
        """Decide any command: the method named after it checks the rules and records events."""
        method: Callable[[Actor, c.Command], Any] | None = getattr(self, command.handler, None)
        if method is None:
            raise TypeError(f"A negotiation does not take {type(command).__name__} commands.")
        return method(actor, command)

    def _session(self, session_id: str) -> Session:
        session = self.state.sessions.get(session_id)
        if session is None:
            raise errors.NotFound(f"No session {session_id!r} in this negotiation.")
        return session

    @staticmethod
    def _check_text(text: str, what: str = "proposal text") -> None:
        if not text.strip():
            raise errors.InvalidRequest(f"The {what} cannot be empty.")
        if len(text) > MAX_TEXT:
            raise errors.InvalidRequest(
                f"The {what} is {len(text):,} characters; the limit is {MAX_TEXT:,}."
            )

    # ------------------------------------------------------------------ teams
    @takes(c.AddTeamMember)
    def add_team_member(self, actor: Actor, command: c.AddTeamMember) -> None:
        member, party, role = command.member, command.party, command.role
        if not actor.is_admin:
            self._require_chief(actor, party)
        if self.is_facilitator(member.account_id):
            raise errors.RuleRefused(
                f"{member.name} is the facilitator; a facilitator cannot sit on a party's team."
            )
        existing = self.state.team.get(member.account_id)
        if existing is not None:
            raise errors.RuleRefused(
                f"{member.name} already sits on the {existing.party} team; a person sits on one "
                "party's team at most."
            )
        if role == "chief" and any(
            m.party == party and m.role == "chief" for m in self.state.team.values()
        ):
            raise errors.RuleRefused(
                f"The {party} team already has a chief negotiator; name a new chief instead."
            )
        self._team_member_added(
            account_id=member.account_id,
            name=member.name,
            party=party,
            role=role,
            at=_now(),
            by=stamp(actor, self.party_of(actor.account_id)),
        )

    @event("TeamMemberAdded")
    def _team_member_added(
        self,
        account_id: str,
        name: str,
        party: Party,
        role: TeamRole,
        at: datetime,
        by: Stamp,
    ) -> None:
        self.state.team[account_id] = TeamMember(
            account_id=account_id, name=name, party=party, role=role
        )

    @takes(c.RemoveTeamMember)
    def remove_team_member(self, actor: Actor, command: c.RemoveTeamMember) -> None:
        account_id = command.account_id
        member = self.state.team.get(account_id)
        if member is None:
            raise errors.NotFound("That person is not on either team of this negotiation.")
        if not actor.is_admin:
            self._require_chief(actor, member.party)
        if member.role == "chief":
            raise errors.RuleRefused(
                f"{member.name} is the {member.party} chief negotiator: name a new chief first."
            )
        self._team_member_removed(
            account_id=account_id,
            party=member.party,
            at=_now(),
            by=stamp(actor, self.party_of(actor.account_id)),
        )

    @event("TeamMemberRemoved")
    def _team_member_removed(self, account_id: str, party: Party, at: datetime, by: Stamp) -> None:
        del self.state.team[account_id]

    @takes(c.NameChiefNegotiator)
    def name_chief_negotiator(self, actor: Actor, command: c.NameChiefNegotiator) -> None:
        account_id = command.account_id
        member = self.state.team.get(account_id)
        if member is None:
            raise errors.NotFound("Add that person to the team before naming them chief.")
        if not actor.is_admin:
            self._require_chief(actor, member.party)
        if member.role == "chief":
            raise errors.RuleRefused(f"{member.name} is already the chief negotiator.")
        self._chief_negotiator_named(
            account_id=account_id,
            party=member.party,
            at=_now(),
            by=stamp(actor, self.party_of(actor.account_id)),
        )

    @event("ChiefNegotiatorNamed")
    def _chief_negotiator_named(
        self, account_id: str, party: Party, at: datetime, by: Stamp
    ) -> None:
        for member in self.state.team.values():
            if member.party == party and member.role == "chief":
                member.role = "member"
        self.state.team[account_id].role = "chief"

    @takes(c.AppointFacilitator)
    def appoint_facilitator(self, actor: Actor, command: c.AppointFacilitator) -> None:
        facilitator = command.facilitator
        if not actor.is_admin:
            raise errors.NotPermitted("Only an administrator appoints the facilitator.")
        if facilitator.account_id in self.state.team:
            raise errors.RuleRefused("A facilitator cannot sit on either party's team.")
        self._facilitator_appointed(
            account_id=facilitator.account_id,
            name=facilitator.name,
            at=_now(),
            by=stamp(actor, None),
        )

    @event("FacilitatorAppointed")
    def _facilitator_appointed(self, account_id: str, name: str, at: datetime, by: Stamp) -> None:
        self.state.facilitators[account_id] = name

    # ------------------------------------------------------------------ ground rules
    @takes(c.ProposeGroundRules)
    def propose_ground_rules(self, actor: Actor, command: c.ProposeGroundRules) -> str:
        rules, as_received = command.rules, command.as_received
        party = self._acting_party(actor, as_received)
        self._require_chief(actor)
        cutoff = rules.proposal_cutoff
        if cutoff is not None and cutoff.tzinfo is None:
            raise errors.InvalidRequest("The proposal cut-off needs a time zone.")
        offer_id = _new_id()
        self._ground_rules_proposed(
            offer_id=offer_id,
            rules=msgspec.to_builtins(rules, builtin_types=(datetime,)),
            at=_now(),
            by=stamp(actor, party, as_received=as_received),
        )
        return offer_id

    @event("GroundRulesProposed")
    def _ground_rules_proposed(
        self, offer_id: str, rules: dict[str, Any], at: datetime, by: Stamp
    ) -> None:
        self.state.ground_rules_offer = GroundRulesOffer(
            offer_id=offer_id,
            party=by.team_party,
            rules=msgspec.convert(rules, GroundRules, dec_hook=_dec_hook),
        )

    @takes(c.AgreeGroundRules)
    def agree_ground_rules(self, actor: Actor, command: c.AgreeGroundRules) -> None:
        offer_id, as_received = command.offer_id, command.as_received
        party = self._acting_party(actor, as_received)
        self._require_chief(actor)
        offer = self.state.ground_rules_offer
        if offer is None or offer.offer_id != offer_id:
            raise errors.StaleWrite(
                "Those ground rules are no longer the ones on offer; reload and read the latest."
            )
        if offer.party == party:
            raise errors.RuleRefused(
                "Ground rules bind when the other party agrees: a party cannot agree its own offer."
            )
        amending = self.state.ground_rules is not None
        trigger = self._ground_rules_amended if amending else self._ground_rules_agreed
        trigger(
            offer_id=offer_id,
            rules=msgspec.to_builtins(offer.rules, builtin_types=(datetime,)),
            at=_now(),
            by=stamp(actor, party, as_received=as_received),
        )

    @event("GroundRulesAgreed")
    def _ground_rules_agreed(
        self, offer_id: str, rules: dict[str, Any], at: datetime, by: Stamp
    ) -> None:
        self.state.ground_rules = msgspec.convert(rules, GroundRules, dec_hook=_dec_hook)
        self.state.ground_rules_offer = None

    @event("GroundRulesAmended")
    def _ground_rules_amended(
        self, offer_id: str, rules: dict[str, Any], at: datetime, by: Stamp
    ) -> None:
        self.state.ground_rules = msgspec.convert(rules, GroundRules, dec_hook=_dec_hook)
        self.state.ground_rules_offer = None

    # ------------------------------------------------------------------ articles
    @takes(c.OpenArticle)
    def open_article(self, actor: Actor, command: c.OpenArticle) -> str:
        """Put a new subject on the table; returns the article id. From the cut-off on this is
        refused: the subject is then requested as a late article, for the other side's chief
        to consent to."""
        party = self._acting_party(actor, command.as_received)
        self._require_no_vote("open an article")
        rules = self._require_ground_rules()
        number, title = command.number.strip(), command.title.strip()
        if not number or not title:
            raise errors.InvalidRequest("An article needs a number and a title.")
        if len(command.current_language) > MAX_TEXT:
            raise errors.InvalidRequest("The current contract language is too long.")
        self._require_new_number(number)
        session_id, in_writing = self._require_at_table()
        at = _now()
        rules.require_before_cutoff(at)
        article_id = _new_id()
        self._article_opened(
            article_id=article_id,
            number=number,
            title=title,
            category=command.category,
            current_language=command.current_language,
            late=False,
            session_id=session_id,
            at=at,
            by=stamp(actor, party, as_received=command.as_received, in_writing=in_writing),
        )
        return article_id

    @takes(c.RequestLateArticle)
    def request_late_article(self, actor: Actor, command: c.RequestLateArticle) -> str:
        """Ask for a new subject after the cut-off; returns the request id."""
        party = self._acting_party(actor, command.as_received)
        self._require_no_vote("open an article")
        self._require_ground_rules()
        number, title = command.number.strip(), command.title.strip()
        if not number or not title:
            raise errors.InvalidRequest("An article needs a number and a title.")
        self._require_new_number(number)
        _, in_writing = self._require_at_table()
        request_id = _new_id()
        self._late_article_requested(
            request_id=request_id,
            article_id=_new_id(),
            number=number,
            title=title,
            category=command.category,
            current_language=command.current_language,
            at=_now(),
            by=stamp(actor, party, as_received=command.as_received, in_writing=in_writing),
        )
        return request_id

    @event("LateArticleRequested")
    def _late_article_requested(
        self,
        request_id: str,
        article_id: str,
        number: str,
        title: str,
        category: Category,
        current_language: str,
        at: datetime,
        by: Stamp,
    ) -> None:
        self.state.late_requests[request_id] = LateArticleRequest(
            request_id=request_id,
            party=by.team_party,
            article_id=article_id,
            number=number,
            title=title,
            category=category,
            current_language=current_language,
            requested_at=at,
        )

    @takes(c.ConsentToLateArticle)
    def consent_to_late_article(self, actor: Actor, command: c.ConsentToLateArticle) -> str:
        request_id, as_received = command.request_id, command.as_received
        party = self._acting_party(actor, as_received)
        self._require_chief(actor)  # consenting to a new subject binds the party
        self._require_no_vote("open an article")
        request = self.state.late_requests.get(request_id)
        if request is None:
            raise errors.NotFound("No pending late-article request with that id.")
        request.require_consentable_by(party)
        self._require_new_number(request.number)
        session_id, in_writing = self._require_at_table()
        self._article_opened(
            article_id=request.article_id,
            number=request.number,
            title=request.title,
            category=request.category,
            current_language=request.current_language,
            late=True,
            session_id=session_id,
            at=_now(),
            by=stamp(actor, party, as_received=as_received, in_writing=in_writing),
            request_id=request_id,
            requested_by=request.party,
        )
        return request.article_id

    @event("ArticleOpened")
    def _article_opened(
        self,
        article_id: str,
        number: str,
        title: str,
        category: Category,
        current_language: str,
        late: bool,
        session_id: str | None,
        at: datetime,
        by: Stamp,
        request_id: str | None = None,
        requested_by: Party | None = None,
    ) -> None:
        opener: Party = requested_by or by.team_party
        self.state.articles[article_id] = Article(
            article_id=article_id,
            number=number,
            title=title,
            category=category,
            current_language=current_language,
            opened_by=opener,
            opened_at=at,
            late=late,
        )
        if request_id is not None:
            self.state.late_requests[request_id].status = "consented"
        self.state.whole_ta = None

    # ------------------------------------------------------------------ drafts
    @takes(c.DraftProposal)
    def draft_proposal(self, actor: Actor, command: c.DraftProposal) -> str:
        article_id, text = command.article_id, command.text
        party = self._team_party(actor)
        self._article(article_id)
        self._check_text(text)
        draft_id = _new_id()
        self._proposal_drafted(
            draft_id=draft_id,
            article_id=article_id,
            text=text,
            at=_now(),
            by=stamp(actor, party),
        )
        return draft_id

    @event("ProposalDrafted")
    def _proposal_drafted(
        self, draft_id: str, article_id: str, text: str, at: datetime, by: Stamp
    ) -> None:
        self.state.drafts[draft_id] = Draft(
            draft_id=draft_id,
            article_id=article_id,
            party=by.team_party,
            text=text,
            revision=1,
            updated_at=at,
            updated_by=by.name,
        )

    def _own_draft(self, actor: Actor, draft_id: str) -> Draft:
        party = self._team_party(actor)
        draft = self.state.drafts.get(draft_id)
        if draft is None or draft.party != party:
            # Another team's draft is reported missing, not forbidden: its existence is private.
            raise errors.NotFound("No draft with that id on your team.")
        return draft

    @takes(c.ReviseDraft)
    def revise_draft(self, actor: Actor, command: c.ReviseDraft) -> None:
        draft_id = command.draft_id
        text = command.text
        expected_revision = command.expected_revision
        draft = self._own_draft(actor, draft_id)
        self._check_text(text)
        draft.require_revisable(expected_revision)
        self._draft_revised(draft_id=draft_id, text=text, at=_now(), by=stamp(actor, draft.party))

    @event("DraftRevised")
    def _draft_revised(self, draft_id: str, text: str, at: datetime, by: Stamp) -> None:
        draft = self.state.drafts[draft_id]
        draft.text = text
        draft.revision += 1
        draft.updated_at = at
        draft.updated_by = by.name

    @takes(c.TableDraft)
    def table_draft(self, actor: Actor, command: c.TableDraft) -> str:
        draft_id, answers, revises = command.draft_id, command.answers, command.revises
        draft = self._own_draft(actor, draft_id)
        if draft.tabled_as is not None:
            raise errors.RuleRefused("That draft has already been tabled.")
        return self._table(
            actor,
            c.TableProposal(
                article_id=draft.article_id, text=draft.text, answers=answers, revises=revises
            ),
            from_draft=draft_id,
        )

    # ------------------------------------------------------------------ proposals
    def _check_new_proposal(
        self, article: Article, party: Party, answers: str | None, revises: str | None
    ) -> None:
        ours = article.live_proposal(party)
        locked = ours is not None and self._live_package_of(ours) is not None
        article.require_new_proposal_fits(party, answers, revises, own_in_live_package=locked)

    @takes(c.TableProposal)
    def table_proposal(self, actor: Actor, command: c.TableProposal) -> str:
        return self._table(actor, command, from_draft=None)

    def _table(self, actor: Actor, command: c.TableProposal, from_draft: str | None) -> str:
        article_id, text, as_received = command.article_id, command.text, command.as_received
        answers, revises, expected_revision = (
            command.answers,
            command.revises,
            command.expected_revision,
        )
        party = self._acting_party(actor, as_received)
        article = self._open_article(article_id, expected_revision)
        self._check_text(text)
        self._check_new_proposal(article, party, answers, revises)
        session_id, in_writing = self._require_at_table()
        rejected = self._package_rejected_by_answer(article, answers)
        proposal_id = _new_id()
        self._proposal_tabled(
            proposal_id=proposal_id,
            article_id=article_id,
            version=len(article.proposals) + 1,
            text=text,
            answers=answers,
            revises=revises,
            from_draft=from_draft,
            rejects_package=rejected,
            session_id=session_id,
            at=_now(),
            by=stamp(actor, party, as_received=as_received, in_writing=in_writing),
        )
        return proposal_id

    def _package_rejected_by_answer(self, article: Article, answers: str | None) -> str | None:
        if answers is None:
            return None
        answered = article.proposal(answers)
        package = self._live_package_of(answered) if answered is not None else None
        return package.package_id if package is not None else None

    @event("ProposalTabled")
    def _proposal_tabled(
        self,
        proposal_id: str,
        article_id: str,
        version: int,
        text: str,
        answers: str | None,
        revises: str | None,
        from_draft: str | None,
        rejects_package: str | None,
        session_id: str | None,
        at: datetime,
        by: Stamp,
    ) -> None:
        if rejects_package is not None:
            self.state.packages[rejects_package].status = "rejected"
        self._add_proposal(
            Proposal(
                proposal_id=proposal_id,
                article_id=article_id,
                version=version,
                party=by.team_party,
                text=text,
                tabled_at=at,
                tabled_by=by.name,
                answers=answers,
                session_id=session_id,
                in_writing=by.in_writing,
                as_received=by.as_received,
            )
        )
        if from_draft is not None:
            self.state.drafts[from_draft].tabled_as = proposal_id

    def _add_proposal(self, proposal: Proposal) -> None:
        article = self.state.articles[proposal.article_id]
        previous = article.live_proposal(proposal.party)
        if previous is not None:
            previous.status = "superseded"
        article.proposals.append(proposal)
        article.ta_signatures.clear()  # signatures were on an older version
        article.revision += 1

    @takes(c.WithdrawProposal)
    def withdraw_proposal(self, actor: Actor, command: c.WithdrawProposal) -> None:
        proposal_id = command.proposal_id
        article_id = command.article_id
        as_received = command.as_received
        party = self._acting_party(actor, as_received)
        article = self._open_article(article_id)
        proposal = article.proposal(proposal_id)
        if proposal is None:
            raise errors.NotFound(f"No proposal {proposal_id!r} on Article {article.number}.")
        proposal.require_withdrawable_by(party)
        if self._live_package_of(proposal) is not None:
            raise errors.PackageIsLive(
                "That proposal is part of a live package: withdraw the whole package instead."
            )
        _, in_writing = self._require_at_table()
        self._proposal_withdrawn(
            proposal_id=proposal_id,
            article_id=article_id,
            at=_now(),
            by=stamp(actor, party, as_received=as_received, in_writing=in_writing),
        )

    @event("ProposalWithdrawn")
    def _proposal_withdrawn(
        self, proposal_id: str, article_id: str, at: datetime, by: Stamp
    ) -> None:
        article = self.state.articles[article_id]
        proposal = article.proposal(proposal_id)
        if proposal is not None:
            proposal.status = "withdrawn"
        article.ta_signatures.clear()
        article.revision += 1

    @takes(c.WithdrawArticle)
    def withdraw_article(self, actor: Actor, command: c.WithdrawArticle) -> None:
        article_id, as_received = command.article_id, command.as_received
        party = self._acting_party(actor, as_received)
        article = self._open_article(article_id)
        if article.opened_by != party:
            raise errors.NotPermitted(
                f"Only the {article.opened_by} side, which opened Article {article.number}, may "
                "withdraw the whole subject."
            )
        for proposal in article.proposals:
            if proposal.status == "live" and self._live_package_of(proposal) is not None:
                raise errors.PackageIsLive(
                    f"Article {article.number} is in a live package: withdraw the package first."
                )
        _, in_writing = self._require_at_table()
        self._article_withdrawn(
            article_id=article_id,
            at=_now(),
            by=stamp(actor, party, as_received=as_received, in_writing=in_writing),
        )
        self._maybe_reach_whole_ta()

    @event("ArticleWithdrawn")
    def _article_withdrawn(self, article_id: str, at: datetime, by: Stamp) -> None:
        article = self.state.articles[article_id]
        article.status = "withdrawn"
        for proposal in article.proposals:
            if proposal.status == "live":
                proposal.status = "withdrawn"
        article.ta_signatures.clear()
        article.reopen_consents.clear()
        article.revision += 1

    # ------------------------------------------------------------------ tentative agreements
    @takes(c.SignTA)
    def sign_ta(self, actor: Actor, command: c.SignTA) -> bool:
        """Sign a TA on a version; returns True when this signature makes the article agreed."""
        article_id = command.article_id
        proposal_id = command.proposal_id
        as_received = command.as_received
        party = self._acting_party(actor, as_received)
        self._require_chief(actor)
        article = self._open_article(article_id)
        latest = article.require_signable(proposal_id)
        if self._live_package_of(latest) is not None:
            raise errors.PackageIsLive(
                "That proposal is an item of a live package: accept the whole package instead."
            )
        article.require_unsigned_by(party, proposal_id)
        _, in_writing = self._require_at_table()
        at = _now()
        by = stamp(actor, party, as_received=as_received, in_writing=in_writing)
        self._ta_signed(article_id=article_id, proposal_id=proposal_id, at=at, by=by)
        if other_party(party) in article.ta_signatures:
            self._article_tentatively_agreed(
                article_id=article_id, proposal_id=proposal_id, at=at, by=by
            )
            self._maybe_reach_whole_ta()
            return True
        return False

    @event("TASigned")
    def _ta_signed(self, article_id: str, proposal_id: str, at: datetime, by: Stamp) -> None:
        article = self.state.articles[article_id]
        article.ta_signatures[by.team_party] = proposal_id
        article.revision += 1

    @event("ArticleTentativelyAgreed")
    def _article_tentatively_agreed(
        self, article_id: str, proposal_id: str, at: datetime, by: Stamp
    ) -> None:
        self._agree_article(article_id, proposal_id)

    def _agree_article(self, article_id: str, proposal_id: str) -> None:
        article = self.state.articles[article_id]
        article.status = "agreed"
        article.agreed_proposal_id = proposal_id
        for proposal in article.proposals:
            if proposal.proposal_id == proposal_id:
                proposal.status = "agreed"
            elif proposal.status == "live":
                proposal.status = "superseded"
        article.reopen_consents.clear()
        article.revision += 1

    @takes(c.ConsentToReopen)
    def consent_to_reopen(self, actor: Actor, command: c.ConsentToReopen) -> bool:
        """Consent to reopen a TA'd or withdrawn article; True when this consent reopens it."""
        article_id, as_received = command.article_id, command.as_received
        party = self._acting_party(actor, as_received)
        self._require_chief(actor)
        self._require_no_vote("reopen an article")
        article = self._article(article_id)
        article.require_reopenable_by(party)
        _, in_writing = self._require_at_table()
        at = _now()
        by = stamp(actor, party, as_received=as_received, in_writing=in_writing)
        self._reopening_consented(article_id=article_id, at=at, by=by)
        if other_party(party) in article.reopen_consents:
            self._article_reopened(article_id=article_id, at=at, by=by)
            return True
        return False

    @event("ReopeningConsented")
    def _reopening_consented(self, article_id: str, at: datetime, by: Stamp) -> None:
        article = self.state.articles[article_id]
        article.reopen_consents.append(by.team_party)
        article.revision += 1

    @event("ArticleReopened")
    def _article_reopened(self, article_id: str, at: datetime, by: Stamp) -> None:
        article = self.state.articles[article_id]
        agreed = article.proposal(article.agreed_proposal_id or "")
        if agreed is not None:
            # The agreed language becomes the base the parties bargain from again, and the TA'd
            # version is its proposer's live proposal: the other side counters it, or its
            # proposer revises it (DOMAIN.md, rulings on proposals).
            article.current_language = agreed.text
            agreed.status = "live"
        article.status = "open"
        article.agreed_proposal_id = None
        article.ta_signatures.clear()
        article.reopen_consents.clear()
        article.revision += 1
        self.state.whole_ta = None

    # ------------------------------------------------------------------ packages
    @takes(c.TablePackage)
    def table_package(self, actor: Actor, command: c.TablePackage) -> tuple[str, list[str]]:
        """Table proposals on several articles at once; each item has article_id, text and
        optionally answers / revises. Returns the package id and the proposal ids."""
        items, as_received = command.items, command.as_received
        party = self._acting_party(actor, as_received)
        article_ids = [item.article_id for item in items]
        if len(set(article_ids)) < 2 or len(article_ids) != len(set(article_ids)):
            raise errors.InvalidRequest(
                "A package covers at least two different articles, each once."
            )
        for item in items:
            article = self._open_article(item.article_id)
            self._check_text(item.text)
            self._check_new_proposal(article, party, item.answers, item.revises)
            if self._package_rejected_by_answer(article, item.answers):
                raise errors.RuleRefused(
                    "A package cannot answer an item of another live package; counter it item "
                    "by item or accept it."
                )
        session_id, in_writing = self._require_at_table()
        package_id = _new_id()
        proposals = [
            {
                "proposal_id": _new_id(),
                "article_id": item.article_id,
                "version": len(self.state.articles[item.article_id].proposals) + 1,
                "text": item.text,
                "answers": item.answers,
            }
            for item in items
        ]
        self._package_tabled(
            package_id=package_id,
            proposals=proposals,
            session_id=session_id,
            at=_now(),
            by=stamp(actor, party, as_received=as_received, in_writing=in_writing),
        )
        return package_id, [str(p["proposal_id"]) for p in proposals]

    @event("PackageTabled")
    def _package_tabled(
        self,
        package_id: str,
        proposals: list[dict[str, Any]],
        session_id: str | None,
        at: datetime,
        by: Stamp,
    ) -> None:
        for item in proposals:
            self._add_proposal(
                Proposal(
                    proposal_id=item["proposal_id"],
                    article_id=item["article_id"],
                    version=item["version"],
                    party=by.team_party,
                    text=item["text"],
                    tabled_at=at,
                    tabled_by=by.name,
                    answers=item["answers"],
                    package_id=package_id,
                    session_id=session_id,
                    in_writing=by.in_writing,
                    as_received=by.as_received,
                )
            )
        self.state.packages[package_id] = Package(
            package_id=package_id,
            party=by.team_party,
            proposal_ids=[p["proposal_id"] for p in proposals],
            article_ids=[p["article_id"] for p in proposals],
            tabled_at=at,
        )

    def _live_package(self, package_id: str) -> Package:
        package = self.state.packages.get(package_id)
        if package is None:
            raise errors.NotFound(f"No package {package_id!r} in this negotiation.")
        package.require_live()
        return package

    @takes(c.AcceptPackage)
    def accept_package(self, actor: Actor, command: c.AcceptPackage) -> None:
        """Accepting a package TA's every article in it at once; the offer counts as the
        proposer's signature."""
        package_id, as_received = command.package_id, command.as_received
        party = self._acting_party(actor, as_received)
        self._require_chief(actor)
        package = self._live_package(package_id)
        if package.party == party:
            raise errors.RuleRefused("A party cannot accept its own package.")
        for article_id, proposal_id in zip(package.article_ids, package.proposal_ids, strict=True):
            article = self._open_article(article_id)
            latest = article.latest_on_table()
            if latest is None or latest.proposal_id != proposal_id:
                raise errors.NotLatestVersion(
                    f"Article {article.number} has moved on since the package was tabled."
                )
        _, in_writing = self._require_at_table()
        self._package_accepted(
            package_id=package_id,
            at=_now(),
            by=stamp(actor, party, as_received=as_received, in_writing=in_writing),
        )
        self._maybe_reach_whole_ta()

    @event("PackageAccepted")
    def _package_accepted(self, package_id: str, at: datetime, by: Stamp) -> None:
        package = self.state.packages[package_id]
        package.status = "accepted"
        for article_id, proposal_id in zip(package.article_ids, package.proposal_ids, strict=True):
            self._agree_article(article_id, proposal_id)

    @takes(c.WithdrawPackage)
    def withdraw_package(self, actor: Actor, command: c.WithdrawPackage) -> None:
        package_id, as_received = command.package_id, command.as_received
        party = self._acting_party(actor, as_received)
        package = self._live_package(package_id)
        if package.party != party:
            raise errors.NotPermitted("Only the party that tabled a package may withdraw it.")
        _, in_writing = self._require_at_table()
        self._package_withdrawn(
            package_id=package_id,
            at=_now(),
            by=stamp(actor, party, as_received=as_received, in_writing=in_writing),
        )

    @event("PackageWithdrawn")
    def _package_withdrawn(self, package_id: str, at: datetime, by: Stamp) -> None:
        package = self.state.packages[package_id]
        package.status = "withdrawn"
        for article_id, proposal_id in zip(package.article_ids, package.proposal_ids, strict=True):
            article = self.state.articles[article_id]
            proposal = article.proposal(proposal_id)
            if proposal is not None and proposal.status == "live":
                proposal.status = "withdrawn"
                article.ta_signatures.clear()
                article.revision += 1

    # ------------------------------------------------------------------ whole TA
    def _maybe_reach_whole_ta(self) -> None:
        articles = list(self.state.articles.values())
        if self.state.whole_ta is not None or not articles:
            return
        if any(a.status == "open" for a in articles):
            return
        agreed = [a for a in articles if a.status == "agreed"]
        if not agreed:
            return  # all withdrawn is not an agreement
        self._tentative_agreement_reached(
            document_hash=self.document_hash(),
            agreed_article_ids=[a.article_id for a in agreed],
            withdrawn_article_ids=[a.article_id for a in articles if a.status == "withdrawn"],
            at=_now(),
            by=PLATFORM,
        )

    def document_texts(self) -> list[DocumentText]:
        """The TA'd articles as the ratification document's hash sees them."""
        return [
            DocumentText(a.article_id, a.number, a.title, a.agreed_text())
            for a in self.state.articles.values()
            if a.status == "agreed"
        ]

    def document_hash(self, summaries: Mapping[str, str] | None = None, overall: str = "") -> str:
        """SHA-256 over the agreed articles' numbers, titles and language, in number order (and
        the vote's summaries, if given: negotiation/domain/document.py): shows whether a later
        whole TA differs from one already voted on."""
        return document_hash(self.document_texts(), summaries or {}, overall)

    @event("TentativeAgreementReached")
    def _tentative_agreement_reached(
        self,
        document_hash: str,
        agreed_article_ids: list[str],
        withdrawn_article_ids: list[str],
        at: datetime,
        by: Stamp,
    ) -> None:
        self.state.whole_ta = WholeTentativeAgreement(
            reached_at=at,
            document_hash=document_hash,
            agreed_article_ids=agreed_article_ids,
            withdrawn_article_ids=withdrawn_article_ids,
        )

    # ------------------------------------------------------------------ ratification
    def _require_no_vote(self, doing: str) -> None:
        """DOMAIN.md: while a vote is called or open, and after ratification, no article can be
        opened or reopened."""
        ratification = self.state.ratification
        if ratification is None:
            return
        if ratification.status == "ratified":
            raise errors.AlreadyRatified(f"The contract is ratified; no one can {doing} any more.")
        raise errors.VoteInProgress(
            f"A ratification vote is under way on the tentative agreement; no one can {doing} "
            "until it is decided."
        )

    def require_ratification_caller(self, actor: Actor) -> None:
        """The union's chief negotiator or an administrator calls the vote and appoints its
        officials; the employer side has no role in it (DOMAIN.md rulings)."""
        if actor.is_admin:
            return
        if self.party_of(actor.account_id) == "employer":
            raise errors.NotPermitted(
                "Ratification belongs to the union side; the employer team has no role in it."
            )
        self._require_chief(actor, "union")

    def require_summary_writer(self, actor: Actor) -> None:
        """The plain-language summaries are the union's own words to its members, and part of
        the text they ratify: its chief negotiator writes them, as the chief speaks for the
        party on what binds it (DOMAIN.md rulings). Team members, an administrator and the
        employer side (which has no role in ratification) are refused."""
        if self.party_of(actor.account_id) == "employer":
            raise errors.NotPermitted(
                "Ratification belongs to the union side; the employer team has no role in it."
            )
        if self.party_of(actor.account_id) is None:
            raise errors.NotOnTeam(
                f"{actor.name} is not on the union team: the union's chief negotiator writes "
                "the summaries members read."
            )
        self._require_chief(actor, "union")

    @takes(c.CallRatificationVote)
    def call_ratification_vote(self, actor: Actor, command: c.CallRatificationVote) -> str:
        """The union's chief negotiator (or an administrator) calls a vote on the whole TA;
        returns the new vote's id (its own aggregate, created by the voting service)."""
        self.require_ratification_caller(actor)
        self._require_no_vote("call another vote")
        if self.state.whole_ta is None:
            raise errors.NoWholeTA(
                "A vote needs the whole tentative agreement: every article TA'd or withdrawn, "
                "with at least one TA'd."
            )
        if command.closes_at <= command.opens_at:
            raise errors.InvalidRequest("The voting window must close after it opens.")
        if len(set(command.options)) != len(command.options) or command.options[:2] != [
            "yes",
            "no",
        ]:
            raise errors.InvalidRequest(
                "The options are yes and no, and optionally abstain, in that order."
            )
        if command.options[2:] not in ([], ["abstain"]):
            raise errors.InvalidRequest("The only optional option is abstain.")
        for share in (command.threshold, command.quorum):
            if share not in (None, "majority"):
                num, den = share.split("/")
                if not 0 < int(num) <= int(den):
                    raise errors.InvalidRequest(f"{share} is not a share between 0 and 1.")
        if command.quorum == "majority":
            raise errors.InvalidRequest("A quorum is a share of the roll, such as 1/2.")
        vote_id = _new_id()
        self._ratification_vote_called(
            vote_id=vote_id,
            document_hash=self.state.whole_ta.document_hash,
            question=command.question,
            at=_now(),
            by=stamp(actor, self.party_of(actor.account_id)),
        )
        return vote_id

    @event("RatificationVoteCalled")
    def _ratification_vote_called(
        self, vote_id: str, document_hash: str, question: str, at: datetime, by: Stamp
    ) -> None:
        self.state.ratification = Ratification(vote_id=vote_id, document_hash=document_hash)

    @takes(c.RecordVoteOutcome)
    def record_vote_outcome(self, actor: Actor, command: c.RecordVoteOutcome) -> None:
        """The certified outcome: ratified marks the contract ratified; a no or a missed quorum
        sends the negotiation back to the table (TA'd articles stay agreed)."""
        ratification = self.state.ratification
        if ratification is None or ratification.vote_id != command.vote_id:
            raise errors.NotFound(f"No vote {command.vote_id!r} is under way here.")
        if ratification.status != "called":
            raise errors.AlreadyRatified("This vote's outcome is already recorded.")
        at, by = _now(), stamp(actor, None)
        if command.outcome == "ratified":
            self._contract_ratified(
                vote_id=command.vote_id,
                counts=dict(command.counts),
                record_hash=command.record_hash,
                at=at,
                by=by,
            )
        else:
            self._contract_rejected(
                vote_id=command.vote_id,
                reason=command.outcome,
                counts=dict(command.counts),
                record_hash=command.record_hash,
                at=at,
                by=by,
            )

    @event("ContractRatified")
    def _contract_ratified(
        self, vote_id: str, counts: dict[str, int], record_hash: str, at: datetime, by: Stamp
    ) -> None:
        if self.state.ratification is not None:
            self.state.ratification.status = "ratified"

    @event("ContractRejected")
    def _contract_rejected(
        self,
        vote_id: str,
        reason: str,
        counts: dict[str, int],
        record_hash: str,
        at: datetime,
        by: Stamp,
    ) -> None:
        self.state.ratification = None  # back at the table

    # ------------------------------------------------------------------ sessions
    @takes(c.ScheduleSession)
    def schedule_session(self, actor: Actor, command: c.ScheduleSession) -> str:
        self._require_session_manager(actor)
        self.rules_in_force.require_allows(command.visibility)
        if command.capacity is not None and command.capacity < 0:
            raise errors.InvalidRequest("Room capacity cannot be negative.")
        if command.starts_at.tzinfo is None:
            raise errors.InvalidRequest("The start time needs a time zone.")
        session_id = _new_id()
        self._session_scheduled(
            session_id=session_id,
            number=len(self.state.sessions) + 1,
            title=command.title.strip() or f"Session {len(self.state.sessions) + 1}",
            visibility=command.visibility,
            location=command.location,
            starts_at=command.starts_at,
            capacity=command.capacity,
            livestream_url=command.livestream_url,
            languages=list(command.languages),
            at=_now(),
            by=stamp(actor, self.party_of(actor.account_id)),
        )
        return session_id

    @event("SessionScheduled")
    def _session_scheduled(
        self,
        session_id: str,
        number: int,
        title: str,
        visibility: Visibility,
        location: str,
        starts_at: datetime,
        capacity: int | None,
        livestream_url: str | None,
        languages: list[str],
        at: datetime,
        by: Stamp,
    ) -> None:
        self.state.sessions[session_id] = Session(
            session_id=session_id,
            number=number,
            title=title,
            visibility=visibility,
            location=location,
            starts_at=starts_at,
            capacity=capacity,
            livestream_url=livestream_url,
            languages=tuple(languages),
        )

    def _manage(self, actor: Actor, session_id: str) -> tuple[Session, Stamp]:
        self._require_session_manager(actor)
        return self._session(session_id), stamp(actor, self.party_of(actor.account_id))

    @takes(c.ChangeSessionVisibility)
    def change_session_visibility(self, actor: Actor, command: c.ChangeSessionVisibility) -> None:
        """E.g. the teams agree to go into closed session mid-way. Visibility is fixed when a
        thing is recorded (DOMAIN.md): the change applies to what is recorded afterwards."""
        session_id, visibility = command.session_id, command.visibility
        session, by = self._manage(actor, session_id)
        session.require_not_closed()
        if session.visibility == visibility:
            raise errors.RuleRefused(f"Session {session.number} is already {visibility}.")
        self.rules_in_force.require_allows(visibility)
        self._session_visibility_changed(
            session_id=session_id, visibility=visibility, at=_now(), by=by
        )

    @event("SessionVisibilityChanged")
    def _session_visibility_changed(
        self, session_id: str, visibility: Visibility, at: datetime, by: Stamp
    ) -> None:
        self.state.sessions[session_id].visibility = visibility

    @takes(c.OpenSession)
    def open_session(self, actor: Actor, command: c.OpenSession) -> None:
        session_id = command.session_id
        session, by = self._manage(actor, session_id)
        session.require_status("scheduled", f"Session {session.number} is {session.status}.")
        # The ground rules as they stand now: they may have changed since it was scheduled.
        self.rules_in_force.require_allows(session.visibility)
        running = self.running_session
        if running is not None:
            raise errors.SessionConflict(
                f"Session {running.number} is still running: one session runs at a time."
            )
        self._session_opened(session_id=session_id, at=_now(), by=by)

    @event("SessionOpened")
    def _session_opened(self, session_id: str, at: datetime, by: Stamp) -> None:
        session = self.state.sessions[session_id]
        session.status = "open"
        session.opened_at = at

    @takes(c.RecessSession)
    def recess_session(self, actor: Actor, command: c.RecessSession) -> None:
        session_id = command.session_id
        session, by = self._manage(actor, session_id)
        session.require_status("open", f"Only an open session can recess; it is {session.status}.")
        self._session_recessed(session_id=session_id, at=_now(), by=by)

    @event("SessionRecessed")
    def _session_recessed(self, session_id: str, at: datetime, by: Stamp) -> None:
        self.state.sessions[session_id].status = "recessed"

    @takes(c.ResumeSession)
    def resume_session(self, actor: Actor, command: c.ResumeSession) -> None:
        session_id = command.session_id
        session, by = self._manage(actor, session_id)
        session.require_status("recessed", f"Session {session.number} is not in recess.")
        self._session_resumed(session_id=session_id, at=_now(), by=by)

    @event("SessionResumed")
    def _session_resumed(self, session_id: str, at: datetime, by: Stamp) -> None:
        self.state.sessions[session_id].status = "open"

    @takes(c.CloseSession)
    def close_session(self, actor: Actor, command: c.CloseSession) -> None:
        session_id = command.session_id
        session, by = self._manage(actor, session_id)
        if not session.running:
            raise errors.SessionConflict(f"Session {session.number} is {session.status}.")
        self._session_closed(session_id=session_id, at=_now(), by=by)

    @event("SessionClosed")
    def _session_closed(self, session_id: str, at: datetime, by: Stamp) -> None:
        session = self.state.sessions[session_id]
        session.status = "closed"
        session.closed_at = at
        session.caucus = None  # closing a session ends any caucus
        session.leave_table()

    @takes(c.SetAgenda)
    def set_agenda(self, actor: Actor, command: c.SetAgenda) -> None:
        session_id, article_ids = command.session_id, command.article_ids
        session, by = self._manage(actor, session_id)
        session.require_not_closed()
        for article_id in article_ids:
            self._article(article_id)
        if len(set(article_ids)) != len(article_ids):
            raise errors.InvalidRequest("An article appears twice on the agenda.")
        self._agenda_set(session_id=session_id, article_ids=article_ids, at=_now(), by=by)

    @event("AgendaSet")
    def _agenda_set(self, session_id: str, article_ids: list[str], at: datetime, by: Stamp) -> None:
        self.state.sessions[session_id].agenda = list(article_ids)

    @takes(c.BringToTable)
    def bring_to_table(self, actor: Actor, command: c.BringToTable) -> None:
        session_id, article_id = command.session_id, command.article_id
        session = self._session(session_id)
        if not self.is_facilitator(actor.account_id):
            self._team_party(actor)
        article = self._article(article_id)
        if session.status != "open" or session.caucus is not None:
            raise errors.NotAtTheTable(
                "Bring an article to the table only while the session is open and not in caucus."
            )
        if session.article_on_table == article_id:
            raise errors.RuleRefused(f"Article {article.number} is already on the table.")
        self._article_brought_to_table(
            session_id=session_id,
            article_id=article_id,
            at=_now(),
            by=stamp(actor, self.party_of(actor.account_id)),
        )

    @event("ArticleBroughtToTable")
    def _article_brought_to_table(
        self, session_id: str, article_id: str, at: datetime, by: Stamp
    ) -> None:
        session = self.state.sessions[session_id]
        session.leave_table()
        session.article_on_table = article_id
        session.table_turn += 1

    @takes(c.CallCaucus)
    def call_caucus(self, actor: Actor, command: c.CallCaucus) -> None:
        session_id = command.session_id
        party = self._team_party(actor)
        session = self._session(session_id)
        session.require_status("open", "A caucus can only be called in an open session.")
        if session.caucus is not None:
            raise errors.SessionConflict(f"The {session.caucus.party} team is already in caucus.")
        self._caucus_called(session_id=session_id, at=_now(), by=stamp(actor, party))

    @event("CaucusCalled")
    def _caucus_called(self, session_id: str, at: datetime, by: Stamp) -> None:
        session = self.state.sessions[session_id]
        session.caucus = Caucus(party=by.team_party, called_at=at, called_by=by.name)

    @takes(c.EndCaucus)
    def end_caucus(self, actor: Actor, command: c.EndCaucus) -> None:
        session_id = command.session_id
        caucus = self._session(session_id).require_caucus()
        if not self.is_facilitator(actor.account_id):
            caucus.require_ended_by(self._team_party(actor))
        self._caucus_ended(
            session_id=session_id, at=_now(), by=stamp(actor, self.party_of(actor.account_id))
        )

    @event("CaucusEnded")
    def _caucus_ended(self, session_id: str, at: datetime, by: Stamp) -> None:
        self.state.sessions[session_id].caucus = None

    @takes(c.CountAttendance)
    def count_attendance(self, actor: Actor, command: c.CountAttendance) -> None:
        session_id, count = command.session_id, command.count
        session = self._session(session_id)
        if not self.is_facilitator(actor.account_id):
            self._team_party(actor)
        if count < 0:
            raise errors.InvalidRequest("Attendance cannot be negative.")
        session.require_taken_place("Count attendance once the session has opened.")
        self._attendance_counted(
            session_id=session_id,
            count=count,
            at=_now(),
            by=stamp(actor, self.party_of(actor.account_id)),
        )

    @event("AttendanceCounted")
    def _attendance_counted(self, session_id: str, count: int, at: datetime, by: Stamp) -> None:
        self.state.sessions[session_id].attendance = count

    # ------------------------------------------------------------------ livestream overlays
    def _require_producer(self, actor: Actor) -> Stamp:
        """Cueing the overlays is for the teams of either party and the facilitator."""
        if not self.is_facilitator(actor.account_id) and self.party_of(actor.account_id) is None:
            raise errors.NotOnTeam(
                f"{actor.name} is neither on a bargaining team nor the facilitator of this "
                "negotiation: only they cue the livestream overlays."
            )
        return stamp(actor, self.party_of(actor.account_id))

    @takes(c.HideOverlayGraphic)
    def hide_overlay_graphic(self, actor: Actor, command: c.HideOverlayGraphic) -> None:
        by = self._require_producer(actor)
        if command.graphic in self.state.hidden_graphics:
            raise errors.RuleRefused(f"The {c.GRAPHIC_NAMES[command.graphic]} is already hidden.")
        self._overlay_graphic_hidden(graphic=command.graphic, at=_now(), by=by)

    @event("OverlayGraphicHidden")
    def _overlay_graphic_hidden(self, graphic: str, at: datetime, by: Stamp) -> None:
        self.state.hidden_graphics.append(graphic)

    @takes(c.ShowOverlayGraphic)
    def show_overlay_graphic(self, actor: Actor, command: c.ShowOverlayGraphic) -> None:
        by = self._require_producer(actor)
        if command.graphic not in self.state.hidden_graphics:
            raise errors.RuleRefused(f"The {c.GRAPHIC_NAMES[command.graphic]} is already on air.")
        self._overlay_graphic_shown(graphic=command.graphic, at=_now(), by=by)

    @event("OverlayGraphicShown")
    def _overlay_graphic_shown(self, graphic: str, at: datetime, by: Stamp) -> None:
        self.state.hidden_graphics.remove(graphic)

    @takes(c.TakeSpeakerToAir)
    def take_speaker_to_air(self, actor: Actor, command: c.TakeSpeakerToAir) -> None:
        """The custom lower third: a speaker's name and title, on air in a running session
        (taking another speaker to air replaces the one on air)."""
        by = self._require_producer(actor)
        session = self._session(command.session_id)
        name, title = command.name.strip(), command.title.strip()
        if not name:
            raise errors.InvalidRequest("Type the speaker's name to take it to air.")
        if not session.running:
            raise errors.SessionConflict(
                f"Session {session.number} is {session.status}: a speaker goes on air while "
                "the session runs."
            )
        self._speaker_taken_to_air(
            session_id=session.session_id, name=name, title=title, at=_now(), by=by
        )

    @event("SpeakerTakenToAir")
    def _speaker_taken_to_air(
        self, session_id: str, name: str, title: str, at: datetime, by: Stamp
    ) -> None:
        self.state.sessions[session_id].speaker = Speaker(name=name, title=title, on_air_at=at)

    @takes(c.ClearSpeaker)
    def clear_speaker(self, actor: Actor, command: c.ClearSpeaker) -> None:
        by = self._require_producer(actor)
        session = self._session(command.session_id)
        if session.speaker is None or not session.running:
            raise errors.SessionConflict(f"No speaker is on air in session {session.number}.")
        self._speaker_cleared(session_id=session.session_id, at=_now(), by=by)

    @event("SpeakerCleared")
    def _speaker_cleared(self, session_id: str, at: datetime, by: Stamp) -> None:
        self.state.sessions[session_id].speaker = None

    @takes(c.RecordTeamNote)
    def record_team_note(self, actor: Actor, command: c.RecordTeamNote) -> str:
        text, session_id, article_id = command.text, command.session_id, command.article_id
        party = self._team_party(actor)
        self._check_text(text, "note")
        if session_id is not None:
            self._session(session_id)
        if article_id is not None:
            self._article(article_id)
        note_id = _new_id()
        self._team_note_recorded(
            note_id=note_id,
            text=text,
            session_id=session_id,
            article_id=article_id,
            at=_now(),
            by=stamp(actor, party),
        )
        return note_id

    @event("TeamNoteRecorded")
    def _team_note_recorded(
        self,
        note_id: str,
        text: str,
        session_id: str | None,
        article_id: str | None,
        at: datetime,
        by: Stamp,
    ) -> None:
        self.state.notes.append(
            TeamNote(
                note_id=note_id,
                party=by.team_party,
                text=text,
                recorded_at=at,
                recorded_by=by.name,
                session_id=session_id,
                article_id=article_id,
            )
        )

    @takes(c.PublishBulletin)
    def publish_bulletin(self, actor: Actor, command: c.PublishBulletin) -> None:
        session_id, text = command.session_id, command.text
        party = self._team_party(actor)
        session = self._session(session_id)
        self._check_text(text, "bulletin")
        if command.text_es is not None:
            self._check_text(command.text_es, "bulletin")
        session.require_taken_place("A bulletin reports on a session that has taken place.")
        if command.text_es is None:  # the event as it has always been stored
            self._bulletin_published(
                session_id=session_id, text=text, at=_now(), by=stamp(actor, party)
            )
        else:
            self._bulletin_published(
                session_id=session_id,
                text=text,
                at=_now(),
                by=stamp(actor, party),
                text_es=command.text_es,
            )

    @event("BulletinPublished")
    def _bulletin_published(
        self, session_id: str, text: str, at: datetime, by: Stamp, text_es: str | None = None
    ) -> None:
        self.state.sessions[session_id].bulletins.append(
            Bulletin(
                party=by.team_party,
                text=text,
                published_at=at,
                published_by=by.name,
                text_es=text_es,
            )
        )

    # ------------------------------------------------------------------ reactions
    @takes(c.CloseReactionTotals)
    def close_reaction_totals(self, actor: Actor, command: c.CloseReactionTotals) -> None:
        """Record the card totals of an article's turn on the table, once it has left it.
        Any node that saw it leave may ask; the first is recorded, the rest are refused
        (the turn is no longer due), so the totals are recorded exactly once."""
        if actor.account_id != PLATFORM_ACCOUNT:
            raise errors.NotPermitted(
                "Card totals are recorded by the platform, which counts them."
            )
        session = self._session(command.session_id)
        if session.totals_due.get(str(command.turn)) != command.article_id:
            raise errors.RuleRefused(
                "The card totals of that turn on the table are already recorded, or it has "
                "not left the table."
            )
        if command.peak_red < command.red or command.peak_green < command.green:
            raise errors.InvalidRequest("A peak count cannot be below the final count.")
        self._reaction_totals_closed(
            session_id=command.session_id,
            article_id=command.article_id,
            turn=command.turn,
            red=command.red,
            green=command.green,
            peak_red=command.peak_red,
            peak_green=command.peak_green,
            at=_now(),
            by=PLATFORM,
        )

    @event("ReactionTotalsClosed")
    def _reaction_totals_closed(
        self,
        session_id: str,
        article_id: str,
        turn: int,
        red: int,
        green: int,
        peak_red: int,
        peak_green: int,
        at: datetime,
        by: Stamp,
    ) -> None:
        self.state.sessions[session_id].totals_due.pop(str(turn), None)


def _dec_hook(type_: type, obj: Any) -> Any:
    if type_ is datetime and isinstance(obj, str):
        return datetime.fromisoformat(obj)
    raise NotImplementedError(f"cannot decode {type_!r}")


__all__ = ["PARTIES", "Negotiation", "NegotiationState"]
