"""The ratification document a vote is on, from the board, for one audience: each TA'd
article's agreed language with its redline against the current contract and the union's
plain-language summary. The ballot page, its PDF and the document route all read this.

Its hash is always over the full canonical text (negotiation/domain/document.py), whoever
reads it; what an audience may not read is withheld article by article (the rule:
negotiation/domain/visibility.py `sees_agreed_language`).
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from negotiation.domain.document import DocumentText, document_hash
from negotiation.domain.visibility import Audience, sees_agreed_language
from projections.board import ArticleEntry, Board
from projections.redline import remembered_redline


class DocumentArticle(msgspec.Struct, frozen=True):
    """One TA'd article; `withheld` leaves out its language, redline and summary."""

    article_id: str
    number: str
    title: str
    withheld: bool
    language: str | None
    summary: str
    redline_html: str
    words_inserted: int
    words_deleted: int
    unchanged: bool


class RatificationDocument(msgspec.Struct, frozen=True):
    negotiation_title: str
    document_hash: str  # the vote's: what its ballots are bound to
    matches: bool  # the text and summaries shown hash to it
    overall_summary: str
    withheld: int  # articles this audience does not read here
    articles: list[DocumentArticle]


def _agreed(article: ArticleEntry) -> tuple[str, str]:
    """(language, the visibility it was tabled at); the contract's own language if no proposal."""
    agreed = article.proposal(article.agreed_proposal_id) if article.agreed_proposal_id else None
    if agreed is None:
        return article.current_language, "open"
    return agreed.text, agreed.visibility


def ratification_document(
    board: Board,
    vote_hash: str,
    summaries: Mapping[str, str],
    overall: str,
    audience: Audience,
    *,
    on_roll: bool = False,
) -> RatificationDocument:
    agreed = sorted(
        (a for a in board.articles.values() if a.status == "agreed"), key=lambda a: a.number
    )
    texts = []
    articles = []
    for a in agreed:
        language, visibility = _agreed(a)
        texts.append(DocumentText(a.article_id, a.number, a.title, language))
        current = a.current_language or ""
        if not sees_agreed_language(audience, visibility, on_roll=on_roll):
            articles.append(
                DocumentArticle(a.article_id, a.number, a.title, True, None, "", "", 0, 0, False)
            )
            continue
        marks = remembered_redline(current, language)  # once per text, not per voter
        articles.append(
            DocumentArticle(
                article_id=a.article_id,
                number=a.number,
                title=a.title,
                withheld=False,
                language=language,
                summary=summaries.get(a.article_id, ""),
                redline_html=marks.html(),
                words_inserted=marks.words_inserted,
                words_deleted=marks.words_deleted,
                unchanged=current == language,
            )
        )
    withheld = sum(1 for a in articles if a.withheld)
    return RatificationDocument(
        negotiation_title=board.title,
        document_hash=vote_hash,
        matches=document_hash(texts, summaries, overall) == vote_hash,
        # The overall summary speaks of every article: it goes with the language of all of them.
        overall_summary="" if withheld else overall,
        withheld=withheld,
        articles=articles,
    )
