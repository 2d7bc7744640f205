"""Named refusals of the bargaining domain; the web layer maps each family to one HTTP status."""

from __future__ import annotations


class NegotiationError(Exception):
    """Base of every refusal; the message is written for the person who tried the act."""

    rule = "refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- not found (404) -------------------------------------------------------------------------
class NotFound(NegotiationError):
    rule = "not_found"


# --- not allowed for this person (403) -------------------------------------------------------
class NotPermitted(NegotiationError):
    rule = "not_permitted"


class NotOnTeam(NotPermitted):
    rule = "not_on_team"


class ChiefNegotiatorOnly(NotPermitted):
    rule = "chief_negotiator_only"


# --- malformed for the domain (422) ----------------------------------------------------------
class InvalidRequest(NegotiationError):
    rule = "invalid_request"


# --- refused by a bargaining rule (409) ------------------------------------------------------
class RuleRefused(NegotiationError):
    rule = "rule_refused"


class GroundRulesNotAgreed(RuleRefused):
    rule = "ground_rules_not_agreed"


class ProposalCutoffPassed(RuleRefused):
    rule = "proposal_cutoff_passed"


class NotAtTheTable(RuleRefused):
    """Acts across the table need an open session that is neither in caucus nor in recess."""

    rule = "not_at_the_table"


class ArticleClosed(RuleRefused):
    rule = "article_closed"


class MustAnswerLatestProposal(RuleRefused):
    rule = "must_answer_latest_proposal"


class NotLatestVersion(RuleRefused):
    rule = "not_latest_version"


class TAAlreadySigned(RuleRefused):
    rule = "ta_already_signed"


class PackageIsLive(RuleRefused):
    rule = "package_is_live"


class SessionConflict(RuleRefused):
    rule = "session_conflict"


class VisibilityNotAllowed(RuleRefused):
    rule = "visibility_not_allowed"


class StaleWrite(RuleRefused):
    """Someone changed the same thing since the actor last looked; reload and retry."""

    rule = "stale_write"


# --- ratification (DOMAIN.md rulings; issue 11's refusals) -----------------------------------
class NotOnRoll(NotPermitted):
    """A credential that names no eligible member (unknown, void, or for another vote)."""

    rule = "not_on_roll"


class NotElectionOfficial(NotPermitted):
    rule = "not_official"


class InvalidBallot(InvalidRequest):
    """A ballot whose proofs do not verify; the message names which."""

    rule = "invalid_ballot"


class SecondBallot(RuleRefused):
    rule = "second_ballot"


class CopiedBallot(RuleRefused):
    rule = "copied_ballot"


class OutsideWindow(RuleRefused):
    rule = "outside_window"


class RollFrozen(RuleRefused):
    rule = "roll_frozen"


class VoteInProgress(RuleRefused):
    """A vote is called or open: no second vote, and no article opened or reopened."""

    rule = "vote_in_progress"


class AlreadyRatified(RuleRefused):
    rule = "contract_ratified"


class NoWholeTA(RuleRefused):
    rule = "no_whole_ta"


class VoteStepRefused(RuleRefused):
    """A step of the vote out of its order (opening before the key exists, certifying early…)."""

    rule = "vote_step_refused"
