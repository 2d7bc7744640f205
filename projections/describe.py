"""One past-tense sentence per recorded event, for the audit history.

Descriptions never carry private text: drafts and team notes say that something was drafted or
noted, never what; proposal and bulletin language stays in the board, behind its visibility.
`board` is the event's negotiation *after* the event (as the runner hands it to projections).

Each sentence is a `Phrase`: an English message (a gettext id, `N_` marks it for the catalogs
in web/i18n) with its named arguments, some of them phrases too. The audit log keeps the English
sentence (the API and exports) and the phrase (`to_json`), which pages render in the reader's
language (`render` with the page's gettext); nothing here translates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from projections.board import Board
from projections.events import RecordedEvent


class Phrase(msgspec.Struct, frozen=True, array_like=True):
    """An English message with %(name)s placeholders and their values. An int is a count
    (formatted as a number in the reader's language); a str is shown as it is."""

    text: str
    args: dict[str, str | int | Phrase] = {}


def N_(text: str, **args: str | int | Phrase) -> Phrase:
    """A message for the catalogs (pybabel extracts `N_`), translated only when shown."""
    return Phrase(text, args)


def render(
    phrase: Phrase,
    translate: Callable[[str], str] | None = None,
    number: Callable[[int], str] | None = None,
) -> str:
    """The phrase in one language: each message through `translate`, counts through `number`
    (without them: English, counts as 1,234)."""
    text = phrase.text if translate is None else translate(phrase.text)
    args = phrase.args
    if not args:
        return text
    rendered: dict[str, str | int | Phrase] | None = None  # a copy, once an argument is not text
    for name, value in args.items():
        if isinstance(value, str):
            continue
        if rendered is None:
            rendered = dict(args)
        if isinstance(value, Phrase):
            rendered[name] = render(value, translate, number)
        else:
            rendered[name] = f"{value:,}" if number is None else number(value)
    return text % (args if rendered is None else rendered)


def sentence(
    phrase: Phrase,
    translate: Callable[[str], str] | None = None,
    number: Callable[[int], str] | None = None,
) -> str:
    """The phrase rendered, its first letter a capital."""
    return _sentence_case(render(phrase, translate, number))


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Phrase)


def to_json(phrase: Phrase) -> str:
    return _encoder.encode(phrase).decode()


def from_json(text: str) -> Phrase:
    return _decoder.decode(text)


Describer = Callable[[RecordedEvent, Board, Mapping[str, str]], Phrase]

_VISIBILITY_WORDS = {
    "open": N_("open to the public"),
    "members": N_("open to unit members"),
    "closed": N_("closed (teams only)"),
}
_PARTY_WORDS = {"union": N_("union"), "employer": N_("employer")}
_FACILITATOR = N_("facilitator")


# ---------------------------------------------------------------------- phrases
def party_word(party: str | None) -> Phrase:
    """'union' / 'employer' as a noun: 'The union', 'the employer'."""
    return _PARTY_WORDS.get(party or "", _FACILITATOR)


def actor(event: RecordedEvent, board: Board) -> Phrase | str:
    """Who acted: 'Maria Lopez (Riverside Educators Association)'; for an act recorded as
    received from a party not on the platform, that party (recorded by whom)."""
    by = event.by
    name = by.get("name")
    party = by.get("party")
    if party not in ("union", "employer"):
        return str(name) if name else N_("Someone")
    party_name = board.party_name(party)
    if by.get("as_received"):
        return N_(
            "%(party)s (recorded as received by %(name)s)",
            party=party_name,
            name=str(name) if name else N_("Someone"),
        )
    if name:  # the same in every language (and one phrase fewer to render per event)
        return f"{name} ({party_name})"
    return N_("%(name)s (%(party)s)", name=N_("Someone"), party=party_name)


def _manner(event: RecordedEvent) -> Phrase | str:
    return N_(", delivered in writing") if event.by.get("in_writing") else ""


def article_ref(board: Board, article_id: str | None) -> Phrase:
    article = board.articles.get(article_id or "")
    if article is None:
        return N_("an article")
    return _article(article.number, article.title)


def _article(number: Any, title: Any) -> Phrase:
    return N_("Article %(number)s — %(title)s", number=str(number), title=str(title))


def _articles_list(board: Board, article_ids: list[str]) -> Phrase:
    numbers = [board.articles[a].number if a in board.articles else "?" for a in article_ids]
    if not numbers:
        return N_("no articles")
    if len(numbers) == 1:
        return N_("Article %(number)s", number=str(numbers[0]))
    return N_(
        "Articles %(numbers)s and %(last)s",
        numbers=", ".join(str(n) for n in numbers[:-1]),
        last=str(numbers[-1]),
    )


def _session_ref(board: Board, session_id: str | None) -> Phrase:
    session = board.sessions.get(session_id or "")
    if session is None:
        return N_("a session")
    return N_("Session %(number)s", number=str(session.number))


def _version_of(board: Board, article_id: str, proposal_id: str) -> int | None:
    article = board.articles.get(article_id)
    proposal = article.proposal(proposal_id) if article is not None else None
    return proposal.version if proposal is not None else None


def _on_version(version: int | None) -> Phrase | str:
    return N_(" (version %(version)s)", version=str(version)) if version is not None else ""


def _sentence_case(text: str) -> str:
    return text[0].upper() + text[1:] if text and text[0].islower() else text


def _humanize(type_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type_name).lower()


# ---------------------------------------------------------------------- negotiation & teams
def _opened(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_(
        "%(actor)s opened the negotiation “%(title)s” between %(union)s and %(employer)s",
        actor=actor(e, b),
        title=str(e.data.get("title", b.title)),
        union=b.union_name,
        employer=b.employer_name,
    )


def _member_added(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    name = e.data.get("name")
    args: dict[str, str | int | Phrase] = {
        "actor": actor(e, b),
        "name": str(name) if name else N_("someone"),
        "team": b.party_name(e.data.get("party")),
    }
    if e.data.get("role") == "chief":
        return N_("%(actor)s added %(name)s to the %(team)s team as chief negotiator", **args)
    return N_("%(actor)s added %(name)s to the %(team)s team", **args)


def _member_removed(e: RecordedEvent, b: Board, names: Mapping[str, str]) -> Phrase:
    who = names.get(e.data.get("account_id", ""))
    return N_(
        "%(actor)s removed %(name)s from the %(team)s team",
        actor=actor(e, b),
        name=who if who else N_("a member"),
        team=b.party_name(e.data.get("party")),
    )


def _chief_named(e: RecordedEvent, b: Board, names: Mapping[str, str]) -> Phrase:
    account_id = e.data.get("account_id", "")
    member = b.team.get(account_id)
    who = member.name if member is not None else names.get(account_id)
    return N_(
        "%(actor)s named %(name)s chief negotiator for %(team)s",
        actor=actor(e, b),
        name=who if who else N_("a team member"),
        team=b.party_name(e.data.get("party")),
    )


def _facilitator(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    name = e.data.get("name")
    return N_(
        "%(actor)s appointed %(name)s as facilitator",
        actor=actor(e, b),
        name=str(name) if name else N_("someone"),
    )


def _rules_proposed(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_("%(actor)s proposed ground rules%(manner)s", actor=actor(e, b), manner=_manner(e))


def _rules_agreed(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_("%(actor)s agreed the ground rules; they now bind both parties", actor=actor(e, b))


def _rules_amended(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_(
        "%(actor)s agreed amended ground rules; they now bind both parties", actor=actor(e, b)
    )


# ---------------------------------------------------------------------- articles
def _late_requested(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    d = e.data
    return N_(
        "%(actor)s asked to open %(article)s after the proposal cut-off%(manner)s",
        actor=actor(e, b),
        article=_article(d.get("number"), d.get("title")),
        manner=_manner(e),
    )


def _article_opened(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    d = e.data
    ref = _article(d.get("number"), d.get("title"))
    if d.get("late"):
        return N_(
            "%(actor)s consented to open %(article)s after the cut-off, as requested by "
            "%(requester)s%(manner)s",
            actor=actor(e, b),
            article=ref,
            requester=b.party_name(d.get("requested_by")),
            manner=_manner(e),
        )
    return N_(
        "%(actor)s opened %(article)s%(manner)s", actor=actor(e, b), article=ref, manner=_manner(e)
    )


def _article_withdrawn(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_(
        "%(actor)s withdrew %(article)s%(manner)s",
        actor=actor(e, b),
        article=article_ref(b, e.data.get("article_id")),
        manner=_manner(e),
    )


def _reopening_consented(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_(
        "%(actor)s consented to reopen %(article)s%(manner)s",
        actor=actor(e, b),
        article=article_ref(b, e.data.get("article_id")),
        manner=_manner(e),
    )


def _article_reopened(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_(
        "Both parties consented: %(article)s was reopened%(manner)s",
        article=article_ref(b, e.data.get("article_id")),
        manner=_manner(e),
    )


# ---------------------------------------------------------------------- drafts (team-private)
def _drafted(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_(
        "A %(party)s team member drafted a proposal on %(article)s",
        party=party_word(e.by.get("party")),
        article=article_ref(b, e.data.get("article_id")),
    )


def _draft_revised(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    draft = b.drafts.get(e.data.get("draft_id", ""))
    return N_(
        "A %(party)s team member revised a draft proposal on %(article)s%(revision)s",
        party=party_word(e.by.get("party")),
        article=article_ref(b, draft.article_id) if draft is not None else N_("an article"),
        revision=N_(" (revision %(revision)s)", revision=str(draft.revision))
        if draft is not None
        else "",
    )


def _note(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    article_id, session_id = e.data.get("article_id"), e.data.get("session_id")
    return N_(
        "A %(party)s team member recorded a private team note%(on)s%(during)s",
        party=party_word(e.by.get("party")),
        on=N_(" on %(article)s", article=article_ref(b, article_id)) if article_id else "",
        during=N_(" during %(session)s", session=_session_ref(b, session_id)) if session_id else "",
    )


# ---------------------------------------------------------------------- proposals & TAs
def _proposal_tabled(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    d = e.data
    rejects: Phrase | str = ""
    if d.get("rejects_package"):
        package = b.packages.get(d["rejects_package"])
        rejects = (
            N_(", rejecting the %(party)s package", party=party_word(package.party))
            if package is not None
            else N_(", rejecting the package")
        )
    args: dict[str, str | int | Phrase] = {
        "actor": actor(e, b),
        "article": article_ref(b, d.get("article_id")),
        "version": str(d.get("version")),
        "rejects": rejects,
        "manner": _manner(e),
    }
    if d.get("revises"):
        return N_(
            "%(actor)s revised its proposal on %(article)s (version %(version)s)"
            "%(rejects)s%(manner)s",
            **args,
        )
    if d.get("answers"):
        return N_(
            "%(actor)s tabled a counterproposal on %(article)s (version %(version)s)"
            "%(rejects)s%(manner)s",
            **args,
        )
    return N_(
        "%(actor)s tabled a proposal on %(article)s (version %(version)s)%(rejects)s%(manner)s",
        **args,
    )


def _proposal_withdrawn(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    article_id = e.data.get("article_id", "")
    version = _version_of(b, article_id, e.data.get("proposal_id", ""))
    args: dict[str, str | int | Phrase] = {
        "actor": actor(e, b),
        "article": article_ref(b, article_id),
        "manner": _manner(e),
    }
    if version is not None:
        return N_(
            "%(actor)s withdrew version %(version)s of its proposal on %(article)s%(manner)s",
            version=str(version),
            **args,
        )
    return N_("%(actor)s withdrew its proposal on %(article)s%(manner)s", **args)


def _ta_signed(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    article_id = e.data.get("article_id", "")
    return N_(
        "%(actor)s signed a TA on %(article)s%(version)s%(manner)s",
        actor=actor(e, b),
        article=article_ref(b, article_id),
        version=_on_version(_version_of(b, article_id, e.data.get("proposal_id", ""))),
        manner=_manner(e),
    )


def _agreed(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    article_id = e.data.get("article_id", "")
    return N_(
        "Both parties tentatively agreed %(article)s%(version)s",
        article=article_ref(b, article_id),
        version=_on_version(_version_of(b, article_id, e.data.get("proposal_id", ""))),
    )


# ---------------------------------------------------------------------- packages
def _package_tabled(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    ids = [str(p.get("article_id", "")) for p in e.data.get("proposals", [])]
    return N_(
        "%(actor)s tabled a package on %(articles)s%(manner)s",
        actor=actor(e, b),
        articles=_articles_list(b, ids),
        manner=_manner(e),
    )


def _package_articles(e: RecordedEvent, b: Board) -> tuple[str, Phrase]:
    package = b.packages.get(e.data.get("package_id", ""))
    if package is None:
        return "", N_("articles")
    return package.party, _articles_list(b, package.article_ids)


def _package_accepted(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    owner, articles = _package_articles(e, b)
    return N_(
        "%(actor)s accepted %(package)s on %(articles)s: all of them are tentatively agreed"
        "%(manner)s",
        actor=actor(e, b),
        package=N_("the %(party)s package", party=party_word(owner))
        if owner
        else N_("the package"),
        articles=articles,
        manner=_manner(e),
    )


def _package_withdrawn(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    _, articles = _package_articles(e, b)
    return N_(
        "%(actor)s withdrew its package on %(articles)s%(manner)s",
        actor=actor(e, b),
        articles=articles,
        manner=_manner(e),
    )


def _whole_ta(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    agreed = len(e.data.get("agreed_article_ids", []))
    withdrawn = len(e.data.get("withdrawn_article_ids", []))
    tail = N_(", %(withdrawn)s withdrawn", withdrawn=withdrawn) if withdrawn else ""
    if agreed == 1:
        return N_(
            "The parties reached a tentative agreement on the whole contract "
            "(1 article agreed%(tail)s)",
            tail=tail,
        )
    return N_(
        "The parties reached a tentative agreement on the whole contract "
        "(%(agreed)s articles agreed%(tail)s)",
        agreed=agreed,
        tail=tail,
    )


# ---------------------------------------------------------------------- sessions
def _visibility_word(visibility: Any) -> Phrase | str:
    return _VISIBILITY_WORDS.get(str(visibility or ""), str(visibility or ""))


def _scheduled(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    d = e.data
    starts = d.get("starts_at")
    args: dict[str, str | int | Phrase] = {
        "actor": actor(e, b),
        "number": str(d.get("number")),
        "visibility": _visibility_word(d.get("visibility", "")),
    }
    if starts is None:
        return N_("%(actor)s scheduled Session %(number)s, %(visibility)s", **args)
    when = f"{starts:%Y-%m-%d %H:%M %Z}".rstrip()
    return N_(
        "%(actor)s scheduled Session %(number)s for %(starts)s, %(visibility)s", starts=when, **args
    )


def _visibility_changed(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_(
        "%(actor)s made %(session)s %(visibility)s",
        actor=actor(e, b),
        session=_session_ref(b, e.data.get("session_id")),
        visibility=_visibility_word(e.data.get("visibility")),
    )


def _session_opened(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_("%(session)s opened", session=_session_ref(b, e.data.get("session_id")))


def _session_recessed(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_("%(session)s went into recess", session=_session_ref(b, e.data.get("session_id")))


def _session_resumed(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_(
        "%(session)s resumed after a recess", session=_session_ref(b, e.data.get("session_id"))
    )


def _session_closed(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_("%(session)s closed", session=_session_ref(b, e.data.get("session_id")))


def _agenda(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    ids = list(e.data.get("article_ids", []))
    return N_(
        "%(actor)s set the agenda of %(session)s: %(items)s",
        actor=actor(e, b),
        session=_session_ref(b, e.data.get("session_id")),
        items=_articles_list(b, ids) if ids else N_("nothing"),
    )


def _brought(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_(
        "%(actor)s brought %(article)s to the table",
        actor=actor(e, b),
        article=article_ref(b, e.data.get("article_id")),
    )


def _caucus_called(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_("The %(party)s went into caucus", party=party_word(e.by.get("party")))


def _caucus_ended(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_("%(actor)s ended the caucus; the parties are back at the table", actor=actor(e, b))


def _attendance(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_(
        "%(actor)s counted attendance at %(session)s: %(count)s",
        actor=actor(e, b),
        session=_session_ref(b, e.data.get("session_id")),
        count=str(e.data.get("count")),
    )


def _bulletin(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_(
        "%(actor)s published a bulletin on %(session)s",
        actor=actor(e, b),
        session=_session_ref(b, e.data.get("session_id")),
    )


def _reaction_totals(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    d = e.data
    return N_(
        "The card totals for %(article)s closed as it left the table: %(red)s red, "
        "%(green)s green (at most %(peak_red)s red, %(peak_green)s green at once)",
        article=article_ref(b, d.get("article_id")),
        red=str(d.get("red")),
        green=str(d.get("green")),
        peak_red=str(d.get("peak_red")),
        peak_green=str(d.get("peak_green")),
    )


# Each OverlayGraphic as the audit names it (commands.GRAPHIC_NAMES, on the livestream).
_GRAPHICS = {
    "lower-third": N_("the livestream's lower third"),
    "ta-counter": N_("the livestream's TA counter"),
    "caucus": N_("the livestream's caucus slate"),
    "clock": N_("the livestream's session clock"),
    "reactions": N_("the livestream's reaction meter"),
}


def _graphic_name(e: RecordedEvent) -> Phrase:
    return _GRAPHICS.get(e.data.get("graphic", ""), N_("the livestream's a graphic"))


def _graphic_hidden(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_("%(actor)s hid %(graphic)s", actor=actor(e, b), graphic=_graphic_name(e))


def _graphic_shown(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_("%(actor)s showed %(graphic)s", actor=actor(e, b), graphic=_graphic_name(e))


def _speaker_on_air(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    d = e.data
    title = f" ({d['title']})" if d.get("title") else ""
    return N_(
        "%(actor)s took %(name)s%(title)s to air on the speaker lower third at %(session)s",
        actor=actor(e, b),
        name=str(d.get("name")),
        title=title,
        session=_session_ref(b, d.get("session_id")),
    )


def _speaker_cleared(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_(
        "%(actor)s cleared the speaker lower third at %(session)s",
        actor=actor(e, b),
        session=_session_ref(b, e.data.get("session_id")),
    )


def _vote_called(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_("%(actor)s called a ratification vote on the tentative agreement", actor=actor(e, b))


def _ratified(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    return N_("The members ratified the contract (tally certified by the election officials)")


def _rejected(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    if e.data.get("reason") == "quorum_missed":
        return N_(
            "The contract was not ratified (the vote missed its quorum); the negotiation is "
            "back at the table"
        )
    return N_("The contract was not ratified (no); the negotiation is back at the table")


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
    "SessionOpened": _session_opened,
    "SessionRecessed": _session_recessed,
    "SessionResumed": _session_resumed,
    "SessionClosed": _session_closed,
    "AgendaSet": _agenda,
    "ArticleBroughtToTable": _brought,
    "CaucusCalled": _caucus_called,
    "CaucusEnded": _caucus_ended,
    "AttendanceCounted": _attendance,
    "TeamNoteRecorded": _note,
    "BulletinPublished": _bulletin,
    "ReactionTotalsClosed": _reaction_totals,
    "OverlayGraphicHidden": _graphic_hidden,
    "OverlayGraphicShown": _graphic_shown,
    "SpeakerTakenToAir": _speaker_on_air,
    "SpeakerCleared": _speaker_cleared,
    "RatificationVoteCalled": _vote_called,
    "ContractRatified": _ratified,
    "ContractRejected": _rejected,
}


def _unknown(e: RecordedEvent, b: Board, _names: Mapping[str, str]) -> Phrase:
    # An event type this module does not know yet: name it, never dump its payload.
    return N_("%(actor)s recorded: %(kind)s", actor=actor(e, b), kind=_humanize(e.type))


def phrase_of(event: RecordedEvent, board: Board, names: Mapping[str, Any] | None = None) -> Phrase:
    """The sentence for one event, to be rendered in a language. `names` maps account ids to
    display names for people the board no longer lists (a removed team member)."""
    return DESCRIBERS.get(event.type, _unknown)(event, board, names or {})


def describe(event: RecordedEvent, board: Board, names: Mapping[str, Any] | None = None) -> str:
    """The sentence for one event, in English (see phrase_of)."""
    return sentence(phrase_of(event, board, names))
