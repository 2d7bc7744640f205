"""One past-tense English sentence per recorded event, for the audit history.

Descriptions never carry private text: drafts and team notes say that something was drafted or
noted, never what; proposal and bulletin language stays in the board, behind its visibility.
`board` is the event's negotiation *after* the event (as the runner hands it to projections).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from negotiation.domain.commands import GRAPHIC_NAMES
from projections.board import Board
from projections.events import RecordedEvent

Describer = Callable[[RecordedEvent, Board, Mapping[str, str]], str]

_VISIBILITY_WORDS = {
    "open": "open to the public",
    "members": "open to unit members",
    "closed": "closed (teams only)",
}


# ---------------------------------------------------------------------- phrases
def party_word(party: str | None) -> str:
    """'union' / 'employer' as a noun phrase: 'The union', 'the employer'."""
    return party if party in ("union", "employer") else "facilitator"


def actor(event: RecordedEvent, board: Board) -> str:
    """Who acted: 'Maria Lopez (Riverside Educators Association)'; for an act recorded as
    received from a party not on the platform, that party (recorded by whom)."""
    by = event.by
    name = by.get("name") or "Someone"
    party = by.get("party")
    if party not in ("union", "employer"):
        return str(name)
    party_name = board.party_name(party)
    if by.get("as_received"):
        return f"{party_name} (recorded as received by {name})"
    return f"{name} ({party_name})"


def _manner(event: RecordedEvent) -> str:
    return ", delivered in writing" if event.by.get("in_writing") else ""


def article_ref(board: Board, article_id: str | None) -> str:
    article = board.articles.get(article_id or "")
    if article is None:
        return "an article"
    return f"Article {article.number} — {article.title}"


def _articles_list(board: Board, article_ids: list[str]) -> str:
    numbers = [board.articles[a].number if a in board.articles else "?" for a in article_ids]
    if not numbers:
        return "no articles"
    if len(numbers) == 1:
        return f"Article {numbers[0]}"
    return "Articles " + ", ".join(numbers[:-1]) + " and " + numbers[-1]


def _session_ref(board: Board, session_id: str | None) -> str:
    session = board.sessions.get(session_id or "")
    return f"Session {session.number}" if session is not None else "a session"


def _version_of(board: Board, article_id: str, proposal_id: str) -> int | None:
    article = board.articles.get(article_id)
    proposal = article.proposal(proposal_id) if article is not None else None
    return proposal.version if proposal is not None else None


def _sentence_case(text: str) -> str:
    return text[0].upper() + text[1:] if text and text[0].islower() else text


def _humanize(type_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type_name).lower()


# ---------------------------------------------------------------------- negotiation & teams
def _opened(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    return (
        f"{actor(e, b)} opened the negotiation “{e.data.get('title', b.title)}” between "
        f"{b.union_name} and {b.employer_name}"
    )


def _member_added(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    role = " as chief negotiator" if e.data.get("role") == "chief" else ""
    return (
        f"{actor(e, b)} added {e.data.get('name', 'someone')} to the "
        f"{b.party_name(e.data.get('party'))} team{role}"
    )


def _member_removed(e: RecordedEvent, b: Board, names: Mapping[str, str]) -> str:
    who = names.get(e.data.get("account_id", ""), "a member")
    return f"{actor(e, b)} removed {who} from the {b.party_name(e.data.get('party'))} team"


def _chief_named(e: RecordedEvent, b: Board, names: Mapping[str, str]) -> str:
    account_id = e.data.get("account_id", "")
    member = b.team.get(account_id)
    who = member.name if member is not None else names.get(account_id, "a team member")
    return f"{actor(e, b)} named {who} chief negotiator for {b.party_name(e.data.get('party'))}"


def _facilitator(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    return f"{actor(e, b)} appointed {e.data.get('name', 'someone')} as facilitator"


def _rules_proposed(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    return f"{actor(e, b)} proposed ground rules{_manner(e)}"


def _rules_agreed(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    return f"{actor(e, b)} agreed the ground rules; they now bind both parties"


def _rules_amended(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    return f"{actor(e, b)} agreed amended ground rules; they now bind both parties"


# ---------------------------------------------------------------------- articles
def _late_requested(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    d = e.data
    return (
        f"{actor(e, b)} asked to open Article {d.get('number')} — {d.get('title')} after the "
        f"proposal cut-off{_manner(e)}"
    )


def _article_opened(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    d = e.data
    ref = f"Article {d.get('number')} — {d.get('title')}"
    if d.get("late"):
        requester = b.party_name(d.get("requested_by"))
        return (
            f"{actor(e, b)} consented to open {ref} after the cut-off, as requested by "
            f"{requester}{_manner(e)}"
        )
    return f"{actor(e, b)} opened {ref}{_manner(e)}"


def _article_withdrawn(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    return f"{actor(e, b)} withdrew {article_ref(b, e.data.get('article_id'))}{_manner(e)}"


def _reopening_consented(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    return (
        f"{actor(e, b)} consented to reopen {article_ref(b, e.data.get('article_id'))}{_manner(e)}"
    )


def _article_reopened(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    return (
        f"Both parties consented: {article_ref(b, e.data.get('article_id'))} was reopened"
        f"{_manner(e)}"
    )


# ---------------------------------------------------------------------- drafts (team-private)
def _drafted(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    party = party_word(e.by.get("party"))
    return f"A {party} team member drafted a proposal on {article_ref(b, e.data.get('article_id'))}"


def _draft_revised(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    party = party_word(e.by.get("party"))
    draft = b.drafts.get(e.data.get("draft_id", ""))
    where = article_ref(b, draft.article_id) if draft is not None else "an article"
    revision = f" (revision {draft.revision})" if draft is not None else ""
    return f"A {party} team member revised a draft proposal on {where}{revision}"


def _note(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    party = party_word(e.by.get("party"))
    about = []
    if e.data.get("article_id"):
        about.append(f" on {article_ref(b, e.data['article_id'])}")
    if e.data.get("session_id"):
        about.append(f" during {_session_ref(b, e.data['session_id'])}")
    return f"A {party} team member recorded a private team note{''.join(about)}"


# ---------------------------------------------------------------------- proposals & TAs
def _proposal_tabled(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    d = e.data
    if d.get("revises"):
        what = "revised its proposal on"
    elif d.get("answers"):
        what = "tabled a counterproposal on"
    else:
        what = "tabled a proposal on"
    rejects = ""
    if d.get("rejects_package"):
        package = b.packages.get(d["rejects_package"])
        owner = f"{package.party} " if package is not None else ""
        rejects = f", rejecting the {owner}package"
    return (
        f"{actor(e, b)} {what} {article_ref(b, d.get('article_id'))} "
        f"(version {d.get('version')}){rejects}{_manner(e)}"
    )


def _proposal_withdrawn(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    article_id = e.data.get("article_id", "")
    version = _version_of(b, article_id, e.data.get("proposal_id", ""))
    which = f"version {version} of its proposal" if version is not None else "its proposal"
    return f"{actor(e, b)} withdrew {which} on {article_ref(b, article_id)}{_manner(e)}"


def _ta_signed(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    article_id = e.data.get("article_id", "")
    version = _version_of(b, article_id, e.data.get("proposal_id", ""))
    on = f" (version {version})" if version is not None else ""
    return f"{actor(e, b)} signed a TA on {article_ref(b, article_id)}{on}{_manner(e)}"


def _agreed(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    article_id = e.data.get("article_id", "")
    version = _version_of(b, article_id, e.data.get("proposal_id", ""))
    on = f" (version {version})" if version is not None else ""
    return f"Both parties tentatively agreed {article_ref(b, article_id)}{on}"


# ---------------------------------------------------------------------- packages
def _package_tabled(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    ids = [str(p.get("article_id", "")) for p in e.data.get("proposals", [])]
    return f"{actor(e, b)} tabled a package on {_articles_list(b, ids)}{_manner(e)}"


def _package_articles(e: RecordedEvent, b: Board) -> tuple[str, str]:
    package = b.packages.get(e.data.get("package_id", ""))
    if package is None:
        return "", "articles"
    return package.party, _articles_list(b, package.article_ids)


def _package_accepted(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    owner, articles = _package_articles(e, b)
    whose = f"the {owner} package" if owner else "the package"
    return (
        f"{actor(e, b)} accepted {whose} on {articles}: all of them are tentatively agreed"
        f"{_manner(e)}"
    )


def _package_withdrawn(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    _, articles = _package_articles(e, b)
    return f"{actor(e, b)} withdrew its package on {articles}{_manner(e)}"


def _whole_ta(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    agreed = len(e.data.get("agreed_article_ids", []))
    withdrawn = len(e.data.get("withdrawn_article_ids", []))
    tail = f", {withdrawn} withdrawn" if withdrawn else ""
    plural = "s" if agreed != 1 else ""
    return (
        f"The parties reached a tentative agreement on the whole contract "
        f"({agreed} article{plural} agreed{tail})"
    )


# ---------------------------------------------------------------------- sessions
def _scheduled(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    d = e.data
    visibility = _VISIBILITY_WORDS.get(d.get("visibility", ""), d.get("visibility", ""))
    starts = d.get("starts_at")
    when = f" for {starts:%Y-%m-%d %H:%M %Z}".rstrip() if starts is not None else ""
    return f"{actor(e, b)} scheduled Session {d.get('number')}{when}, {visibility}"


def _visibility_changed(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    visibility = _VISIBILITY_WORDS.get(e.data.get("visibility", ""), e.data.get("visibility"))
    return f"{actor(e, b)} made {_session_ref(b, e.data.get('session_id'))} {visibility}"


def _session_status(verb: str) -> Describer:
    def describe(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
        return f"{_session_ref(b, e.data.get('session_id'))} {verb}"

    return describe


def _agenda(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    ids = list(e.data.get("article_ids", []))
    items = _articles_list(b, ids) if ids else "nothing"
    return f"{actor(e, b)} set the agenda of {_session_ref(b, e.data.get('session_id'))}: {items}"


def _brought(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    return f"{actor(e, b)} brought {article_ref(b, e.data.get('article_id'))} to the table"


def _caucus_called(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    return f"The {party_word(e.by.get('party'))} went into caucus"


def _caucus_ended(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    return f"{actor(e, b)} ended the caucus; the parties are back at the table"


def _attendance(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    count = e.data.get("count")
    return (
        f"{actor(e, b)} counted attendance at {_session_ref(b, e.data.get('session_id'))}: {count}"
    )


def _bulletin(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    return f"{actor(e, b)} published a bulletin on {_session_ref(b, e.data.get('session_id'))}"


def _reaction_totals(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    d = e.data
    return (
        f"The card totals for {article_ref(b, d.get('article_id'))} closed as it left the "
        f"table: {d.get('red')} red, {d.get('green')} green (at most {d.get('peak_red')} red, "
        f"{d.get('peak_green')} green at once)"
    )


def _graphic(verb: str) -> Describer:
    def describe_graphic(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
        graphic = GRAPHIC_NAMES.get(e.data.get("graphic", ""), "a graphic")
        return f"{actor(e, b)} {verb} the livestream's {graphic}"

    return describe_graphic


def _speaker_on_air(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    d = e.data
    title = f" ({d['title']})" if d.get("title") else ""
    return (
        f"{actor(e, b)} took {d.get('name')}{title} to air on the speaker lower third at "
        f"{_session_ref(b, d.get('session_id'))}"
    )


def _speaker_cleared(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    session = _session_ref(b, e.data.get("session_id"))
    return f"{actor(e, b)} cleared the speaker lower third at {session}"


def _vote_called(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    return f"{actor(e, b)} called a ratification vote on the tentative agreement"


def _ratified(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    return "The members ratified the contract (tally certified by the election officials)"


def _rejected(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    why = "the vote missed its quorum" if e.data.get("reason") == "quorum_missed" else "no"
    return f"The contract was not ratified ({why}); the negotiation is back at the table"


DESCRIBERS: dict[str, Describer] = {
    "Opened": _opened,
    "TeamMemberAdded": _member_added,
    "TeamMemberRemoved": _member_removed,
    "ChiefNegotiatorNamed": _chief_named,
    "FacilitatorAppointed": _facilitator,
    "GroundRulesProposed": _rules_proposed,
    "GroundRulesAgreed": _rules_agreed,
    "GroundRulesAmended": _rules_amended,
    "LateArticleRequested": _late_requested,
    "ArticleOpened": _article_opened,
    "ProposalDrafted": _drafted,
    "DraftRevised": _draft_revised,
    "ProposalTabled": _proposal_tabled,
    "ProposalWithdrawn": _proposal_withdrawn,
    "ArticleWithdrawn": _article_withdrawn,
    "TASigned": _ta_signed,
    "ArticleTentativelyAgreed": _agreed,
    "ReopeningConsented": _reopening_consented,
    "ArticleReopened": _article_reopened,
    "PackageTabled": _package_tabled,
    "PackageAccepted": _package_accepted,
    "PackageWithdrawn": _package_withdrawn,
    "TentativeAgreementReached": _whole_ta,
    "SessionScheduled": _scheduled,
    "SessionVisibilityChanged": _visibility_changed,
    "SessionOpened": _session_status("opened"),
    "SessionRecessed": _session_status("went into recess"),
    "SessionResumed": _session_status("resumed after a recess"),
    "SessionClosed": _session_status("closed"),
    "AgendaSet": _agenda,
    "ArticleBroughtToTable": _brought,
    "CaucusCalled": _caucus_called,
    "CaucusEnded": _caucus_ended,
    "AttendanceCounted": _attendance,
    "TeamNoteRecorded": _note,
    "BulletinPublished": _bulletin,
    "ReactionTotalsClosed": _reaction_totals,
    "OverlayGraphicHidden": _graphic("hid"),
    "OverlayGraphicShown": _graphic("showed"),
    "SpeakerTakenToAir": _speaker_on_air,
    "SpeakerCleared": _speaker_cleared,
    "RatificationVoteCalled": _vote_called,
    "ContractRatified": _ratified,
    "ContractRejected": _rejected,
}


def _unknown(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> str:
    # An event type this module does not know yet: name it, never dump its payload.
    return f"{actor(e, b)} recorded: {_humanize(e.type)}"


def describe(event: RecordedEvent, board: Board, names: Mapping[str, Any] | None = None) -> str:
    """The sentence for one event. `names` maps account ids to display names for people the
    board no longer lists (a removed team member)."""
    describer = DESCRIBERS.get(event.type, _unknown)
    return _sentence_case(describer(event, board, names or {}))
