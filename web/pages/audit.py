"""The audit page's names for the kinds of recorded event (its "Event type" filter), marked for
the catalogs and translated where the page shows them. Every kind projections/describe.py has
a sentence for has a name here (tests/unit/test_page_languages.py)."""

from __future__ import annotations


def N_(message: str) -> str:  # gettext's "translated later" marker: pybabel extracts it
    return message


EVENT_KINDS: dict[str, str] = {
    "Opened": N_("Negotiation opened"),
    "TeamMemberAdded": N_("Team member added"),
    "TeamMemberRemoved": N_("Team member removed"),
    "ChiefNegotiatorNamed": N_("Chief negotiator named"),
    "FacilitatorAppointed": N_("Facilitator appointed"),
    "GroundRulesProposed": N_("Ground rules proposed"),
    "GroundRulesAgreed": N_("Ground rules agreed"),
    "GroundRulesAmended": N_("Ground rules amended"),
    "LateArticleRequested": N_("Article requested after the cut-off"),
    "ArticleOpened": N_("Article opened"),
    "ProposalDrafted": N_("Proposal drafted"),
    "DraftRevised": N_("Draft revised"),
    "ProposalTabled": N_("Proposal tabled"),
    "ProposalWithdrawn": N_("Proposal withdrawn"),
    "ArticleWithdrawn": N_("Article withdrawn"),
    "TASigned": N_("TA signed"),
    "ArticleTentativelyAgreed": N_("Tentatively agreed"),
    "ReopeningConsented": N_("Reopening consented"),
    "ArticleReopened": N_("Article reopened"),
    "PackageTabled": N_("Package tabled"),
    "PackageAccepted": N_("Package accepted"),
    "PackageWithdrawn": N_("Package withdrawn"),
    "TentativeAgreementReached": N_("Whole tentative agreement reached"),
    "SessionScheduled": N_("Session scheduled"),
    "SessionVisibilityChanged": N_("Session visibility changed"),
    "SessionOpened": N_("Session opened"),
    "SessionRecessed": N_("Recess"),
    "SessionResumed": N_("Back from recess"),
    "SessionClosed": N_("Session closed"),
    "AgendaSet": N_("Agenda set"),
    "ArticleBroughtToTable": N_("Brought to the table"),
    "CaucusCalled": N_("Caucus called"),
    "CaucusEnded": N_("Caucus over"),
    "AttendanceCounted": N_("Attendance counted"),
    "TeamNoteRecorded": N_("Team note recorded"),
    "BulletinPublished": N_("Bulletin published"),
    "ReactionTotalsClosed": N_("Card totals closed"),
    "OverlayGraphicHidden": N_("Livestream graphic hidden"),
    "OverlayGraphicShown": N_("Livestream graphic shown"),
    "SpeakerTakenToAir": N_("Speaker taken to air"),
    "SpeakerCleared": N_("Speaker lower third cleared"),
    "RatificationVoteCalled": N_("Ratification vote called"),
    "ContractRatified": N_("Contract ratified"),
    "ContractRejected": N_("Contract not ratified"),
}
