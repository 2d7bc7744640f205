"""The ratification document's canonical form: the text a ballot is a vote on, and its hash.

The whole TA (each TA'd article's number, title and agreed language, in number order) and the
plain-language summaries the union writes for the vote. Each article is one JSON array —
`[number, title, language]`, or `[number, title, language, summary]` when it has a summary —
and an overall summary is a last array of one, `[summary]`; the canonical form is those arrays
one after another (a JSON array is self-delimiting, and the lengths tell the kinds apart, so
two different documents never share a form). Without summaries it is the whole TA's own form,
so the negotiation's TA hash and a vote's document hash agree until the union writes one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

import msgspec


class DocumentText(msgspec.Struct, frozen=True):
    """One TA'd article as the document's hash sees it."""

    article_id: str
    number: str
    title: str
    language: str


def canonical_form(
    articles: Iterable[DocumentText], summaries: Mapping[str, str], overall: str = ""
) -> bytes:
    """`summaries` by article id; articles are put in number order here."""
    parts = []
    for article in sorted(articles, key=lambda a: a.number):
        item = [article.number, article.title, article.language]
        summary = summaries.get(article.article_id, "")
        if summary:
            item.append(summary)
        parts.append(msgspec.json.encode(item))
    if overall:
        parts.append(msgspec.json.encode([overall]))
    return b"".join(parts)


def document_hash(
    articles: Iterable[DocumentText], summaries: Mapping[str, str], overall: str = ""
) -> str:
    """Hex SHA-256 of the canonical form: what the vote's election context binds."""
    return hashlib.sha256(canonical_form(articles, summaries, overall)).hexdigest()
