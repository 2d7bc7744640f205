"""Word-level redlines ("track changes") between two versions of contract language."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from html import escape
from typing import Literal

import msgspec
from diff_match_patch import diff_match_patch  # type: ignore[import-untyped]

Op = Literal["equal", "insert", "delete"]

# diff-match-patch's own operation codes.
_DELETE, _EQUAL, _INSERT = -1, 0, 1
_OPS: dict[int, Op] = {_DELETE: "delete", _EQUAL: "equal", _INSERT: "insert"}

# Words, runs of whitespace, and every other character on its own, so that "30" → "25." is a
# change of the number followed by an added full stop rather than one blurred token.
_TOKEN = re.compile(r"(\w+)|(\s+)|(.)", re.DOTALL)
_WORD_KIND, _SPACE_KIND = 1, 2
_WORD_CHAR = re.compile(r"\w")

# Each distinct token becomes one code point, so at most this many distinct tokens fit.
_ALPHABET_SIZE = 0x110000

# A diff of two unrelated long texts is quadratic; past this the library settles for a coarser
# (still exact) diff instead of blocking the caller. A lightly edited article never comes close.
_DIFF_TIMEOUT_SECONDS = 1.0

_Diff = tuple[int, str]


class Segment(msgspec.Struct, frozen=True):
    """A run of text that is unchanged, struck out (in `before` only) or added (in `after` only)."""

    op: Op
    text: str


class Redline(msgspec.Struct, frozen=True):
    """The changes from one version to the next, in reading order."""

    segments: list[Segment]
    words_inserted: int
    words_deleted: int

    def html(self) -> str:
        """Markup with <del>/<ins> around changes; newlines are kept for white-space: pre-wrap."""
        parts: list[str] = []
        for segment in self.segments:
            text = escape(segment.text)
            if segment.op == "delete":
                parts.append(f"<del>{text}</del>")
            elif segment.op == "insert":
                parts.append(f"<ins>{text}</ins>")
            else:
                parts.append(text)
        return "".join(parts)


# Characters in both texts of a pair that is kept once diffed: any article; longer is not kept.
CACHED_REDLINE_TEXT = 20_000


def remembered_redline(before: str, after: str) -> Redline:
    """`redline`, computed once per pair of texts: every viewer's page and browser, every
    console and every voter's ballot ask for the same few pairs when the table moves. A pair too
    long to keep is diffed each time."""
    if len(before) + len(after) > CACHED_REDLINE_TEXT:
        return redline(before, after)
    return _remembered(before, after)


@lru_cache(maxsize=512)  # at most ≈ 512 × 20,000 characters of texts, and their segments
def _remembered(before: str, after: str) -> Redline:
    return redline(before, after)


def redline(before: str, after: str) -> Redline:
    """Diff two versions word by word, grouped into phrases a person reads as one change."""
    if before == after:
        return Redline(
            segments=[Segment("equal", before)] if before else [], words_inserted=0, words_deleted=0
        )
    tokens_before, tokens_after = _tokenize(before), _tokenize(after)
    encoded = _encode(tokens_before, tokens_after)
    if encoded is None:
        # More distinct tokens than code points (over a million): fall back to characters.
        diffs = _diff(before, after)
    else:
        encoded_before, encoded_after, alphabet = encoded
        diffs = _diff(encoded_before, encoded_after)
        # The library's own boundary scoring saw code points, not words; redo it on the tokens.
        _align_to_token_boundaries(diffs, alphabet)
        diffs = [(op, "".join([alphabet[ord(c)] for c in chars])) for op, chars in diffs]
    segments = _normalize(diffs)
    return Redline(
        segments=segments,
        words_inserted=sum(_count_words(s.text) for s in segments if s.op == "insert"),
        words_deleted=sum(_count_words(s.text) for s in segments if s.op == "delete"),
    )


def _tokenize(text: str) -> list[str]:
    """Split text into tokens whose concatenation is the text itself."""
    tokens: list[str] = []
    # A combining mark (an accent typed as its own code point, a vowel sign in Devanagari) belongs
    # to the letter before it; the word goes on after it, so a change never splits a letter.
    continues_word = False
    for match in _TOKEN.finditer(text):
        token = match.group()
        kind = match.lastindex
        if (
            kind not in (_WORD_KIND, _SPACE_KIND)
            and tokens
            and not tokens[-1].isspace()
            and unicodedata.category(token).startswith("M")
        ):
            tokens[-1] += token
            continues_word = _WORD_CHAR.match(tokens[-1]) is not None
        elif kind == _WORD_KIND and continues_word:
            tokens[-1] += token
        else:
            tokens.append(token)
            continues_word = False
    return tokens


def _encode(before: list[str], after: list[str]) -> tuple[str, str, list[str]] | None:
    """Map each distinct token to one character (the library's lines-to-chars trick, for words)."""
    index: dict[str, int] = {}
    alphabet: list[str] = []
    encoded: list[str] = []
    for tokens in (before, after):
        chars: list[str] = []
        for token in tokens:
            code = index.get(token)
            if code is None:
                code = len(alphabet)
                if code >= _ALPHABET_SIZE:
                    return None
                index[token] = code
                alphabet.append(token)
            chars.append(chr(code))
        encoded.append("".join(chars))
    return encoded[0], encoded[1], alphabet


def _diff(before: str, after: str) -> list[_Diff]:
    """The library's diff, cleaned up into semantic chunks (typed wrapper around untyped calls)."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = _DIFF_TIMEOUT_SECONDS
    diffs: list[_Diff] = dmp.diff_main(before, after, False)
    dmp.diff_cleanupSemantic(diffs)
    return diffs


def _boundary_score(left: str | None, right: str | None) -> int:
    """How natural a change boundary between two tokens reads; 6 best (an edge), 0 worst.

    The same ranking as diff-match-patch's cleanupSemanticLossless, applied to whole tokens.
    """
    if left is None or right is None:
        return 6
    left_space, right_space = left.isspace(), right.isspace()
    if (left_space and left.count("\n") >= 2) or (right_space and right.count("\n") >= 2):
        return 5  # blank line: a paragraph boundary
    if (left_space and ("\n" in left or "\r" in left)) or (
        right_space and ("\n" in right or "\r" in right)
    ):
        return 4  # line break
    left_word = _WORD_CHAR.match(left) is not None
    if not left_word and not left_space and right_space:
        return 3  # end of a sentence or clause
    if left_space or right_space:
        return 2
    if not left_word or _WORD_CHAR.match(right) is None:
        return 1
    return 0


def _align_to_token_boundaries(diffs: list[_Diff], alphabet: list[str]) -> None:
    """Slide each lone insertion or deletion to where it reads best, e.g. after a blank line.

    An edit between two equalities can often sit at several places with the same result
    ("A.<ins>\n\nB.</ins>\n\nC." or "A.\n\n<ins>B.\n\n</ins>C."); pick the best-scoring one.
    Works on encoded text, so every candidate position is a token boundary.
    """

    def score(one: str, two: str) -> int:
        left = alphabet[ord(one[-1])] if one else None
        right = alphabet[ord(two[0])] if two else None
        return _boundary_score(left, right)

    pointer = 1
    while pointer < len(diffs) - 1:
        if diffs[pointer - 1][0] == _EQUAL and diffs[pointer + 1][0] == _EQUAL:
            equality1, edit, equality2 = (
                diffs[pointer - 1][1],
                diffs[pointer][1],
                diffs[pointer + 1][1],
            )
            # Shift the edit as far left as it goes, then try every position to the right.
            common = _common_suffix(equality1, edit)
            if common:
                equality1, edit, equality2 = (
                    equality1[:-common],
                    edit[-common:] + edit[:-common],
                    edit[-common:] + equality2,
                )
            best = (equality1, edit, equality2)
            best_score = score(equality1, edit) + score(edit, equality2)
            while edit and equality2 and edit[0] == equality2[0]:
                equality1, edit, equality2 = equality1 + edit[0], edit[1:] + edit[0], equality2[1:]
                candidate = score(equality1, edit) + score(edit, equality2)
                # >= prefers the later position: trailing rather than leading whitespace in edits.
                if candidate >= best_score:
                    best, best_score = (equality1, edit, equality2), candidate
            if best[0] != diffs[pointer - 1][1]:
                diffs[pointer - 1 : pointer + 2] = [
                    (op, text)
                    for op, text in (
                        (_EQUAL, best[0]),
                        (diffs[pointer][0], best[1]),
                        (_EQUAL, best[2]),
                    )
                    if text
                ]
                # Mirror the library: step back over each equality the shift used up.
                pointer -= (not best[0]) + (not best[2])
        pointer += 1


def _common_suffix(a: str, b: str) -> int:
    length = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        length += 1
    return length


def _normalize(diffs: list[_Diff]) -> list[Segment]:
    """Merge neighbours and put struck text before new text wherever they meet.

    Lawyers read the deletion first, then what replaces it; the library may leave an insertion
    ahead of a deletion when a cleanup removes the equality between them.
    """
    segments: list[Segment] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush_changes() -> None:
        if deleted:
            segments.append(Segment("delete", "".join(deleted)))
            deleted.clear()
        if inserted:
            segments.append(Segment("insert", "".join(inserted)))
            inserted.clear()

    for op, text in diffs:
        if not text:
            continue
        if op == _DELETE:
            deleted.append(text)
        elif op == _INSERT:
            inserted.append(text)
        else:
            flush_changes()
            if segments and segments[-1].op == "equal":
                segments[-1] = Segment("equal", segments[-1].text + text)
            else:
                segments.append(Segment(_OPS[op], text))
    flush_changes()
    return segments


def _count_words(text: str) -> int:
    return sum(1 for token in _tokenize(text) if _WORD_CHAR.match(token))
