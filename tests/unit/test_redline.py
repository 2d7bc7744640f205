"""Word-level redlines between two versions of an article's contract language."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projections import redline as redline_module
from projections.redline import Redline, Segment, redline

WORD_CHAR = re.compile(r"\w")


def ops(result: Redline) -> list[tuple[str, str]]:
    return [(segment.op, segment.text) for segment in result.segments]


def before_text(result: Redline) -> str:
    return "".join(s.text for s in result.segments if s.op in ("equal", "delete"))


def after_text(result: Redline) -> str:
    return "".join(s.text for s in result.segments if s.op in ("equal", "insert"))


def cut_positions(result: Redline, side: str) -> list[int]:
    """Offsets in the before (or after) text where one segment ends and the next begins."""
    positions, offset = [], 0
    for segment in result.segments:
        if segment.op in ("equal", side):
            offset += len(segment.text)
            positions.append(offset)
    return positions[:-1]


# ---------------------------------------------------------------- the shape of a redline


def test_identical_language_is_one_unchanged_segment():
    # given
    text = "Class size shall not exceed 24 students.\n\nSection 2. Caseloads."
    # when
    result = redline(text, text)
    # then
    assert ops(result) == [("equal", text)]
    assert (result.words_inserted, result.words_deleted) == (0, 0)


def test_two_empty_versions_have_no_segments():
    assert redline("", "").segments == []


def test_new_article_is_entirely_inserted():
    # given an article with no current contract language
    proposed = "Article 31 — Climate.\nThe District shall install heat pumps."
    # when
    result = redline("", proposed)
    # then
    assert ops(result) == [("insert", proposed)]
    assert result.words_inserted == 9
    assert result.words_deleted == 0


def test_struck_language_is_entirely_deleted():
    result = redline("Teachers shall supervise lunch.", "")
    assert ops(result) == [("delete", "Teachers shall supervise lunch.")]
    assert result.words_deleted == 4


def test_changed_number_is_struck_and_replaced_with_the_rest_unchanged():
    # when
    result = redline(
        "Class size shall not exceed 24 students.", "Class size shall not exceed 22 students."
    )
    # then
    assert ops(result) == [
        ("equal", "Class size shall not exceed "),
        ("delete", "24"),
        ("insert", "22"),
        ("equal", " students."),
    ]
    assert (result.words_inserted, result.words_deleted) == (1, 1)


def test_punctuation_is_its_own_token_so_a_number_changes_cleanly():
    result = redline("Notice within 30 days", "Notice within 25. days")
    assert ops(result) == [
        ("equal", "Notice within "),
        ("delete", "30"),
        ("insert", "25."),
        ("equal", " days"),
    ]


def test_words_are_never_split_into_character_changes():
    # "2" is common to 24 and 22, "s" to the last words: a character diff would keep them
    result = redline("shall not exceed 24 pupils", "shall not exceed 22 pupil")
    for op, text in ops(result):
        if op != "equal":
            assert text in ("24", "22", "24 pupils", "22 pupil", "pupils", "pupil")
    assert ("delete", "2") not in ops(result)


def test_deletion_comes_before_insertion_at_the_same_place():
    result = redline("The Employer shall pay.", "The District shall pay.")
    assert ops(result) == [
        ("equal", "The "),
        ("delete", "Employer"),
        ("insert", "District"),
        ("equal", " shall pay."),
    ]


def test_nearby_changes_group_into_one_readable_phrase():
    # the single space between two changed words is not worth showing as unchanged
    result = redline(
        "Class size shall not exceed 24 students per teacher.",
        "Class size shall not exceed 22 pupils per teacher.",
    )
    assert ops(result) == [
        ("equal", "Class size shall not exceed "),
        ("delete", "24 students"),
        ("insert", "22 pupils"),
        ("equal", " per teacher."),
    ]
    assert (result.words_inserted, result.words_deleted) == (2, 2)


def test_new_paragraph_is_inserted_whole_at_the_paragraph_break():
    result = redline("Section 1.\n\nSection 3.", "Section 1.\n\nSection 2.\n\nSection 3.")
    assert ops(result) == [
        ("equal", "Section 1.\n\n"),
        ("insert", "Section 2.\n\n"),
        ("equal", "Section 3."),
    ]


def test_whitespace_only_change_is_shown_but_counts_no_words():
    result = redline("shall  not", "shall not")
    assert ops(result) == [("equal", "shall"), ("delete", "  "), ("insert", " "), ("equal", "not")]
    assert (result.words_inserted, result.words_deleted) == (0, 0)


def test_accent_typed_as_a_combining_mark_stays_with_its_letter():
    # "año" written as a + n + U+0303 COMBINING TILDE + o, against "ano"
    result = redline("el ano escolar", "el an\u0303o escolar")
    assert ops(result) == [
        ("equal", "el "),
        ("delete", "ano"),
        ("insert", "an\u0303o"),
        ("equal", " escolar"),
    ]


# ---------------------------------------------------------------- html


def test_html_marks_changes_and_escapes_everything():
    result = redline("Pay <b>30</b> & more", 'Pay "25" & more')
    assert result.html() == (
        "Pay <del>&lt;b&gt;30&lt;/b&gt;</del><ins>&quot;25&quot;</ins> &amp; more"
    )


def test_html_keeps_newlines_as_they_are():
    result = redline("Line one.\nLine two.", "Line one.\nLine 2.")
    assert result.html() == "Line one.\nLine <del>two</del><ins>2</ins>."


def test_html_of_identical_text_has_no_markup():
    assert redline("a < b", "a < b").html() == "a &lt; b"


# ---------------------------------------------------------------- very large vocabularies


def test_more_distinct_tokens_than_code_points_still_gives_an_exact_redline(monkeypatch):
    # given an alphabet too small for the distinct words of both versions
    monkeypatch.setattr(redline_module, "_ALPHABET_SIZE", 3)
    before, after = "alpha beta gamma delta", "alpha beta epsilon delta zeta"
    # when
    result = redline(before, after)
    # then the redline falls back to characters but is still exact
    assert before_text(result) == before
    assert after_text(result) == after


# ---------------------------------------------------------------- properties

VOCABULARY = [
    "The", "Employer", "Union", "shall", "not", "exceed", "24", "22", "students", "per",
    "class", "days", "notice", "grievance", "año", ".", ",", ";", "(", ")", "—",
    " ", " ", " ", "  ", "\n", "\n\n",
]  # fmt: skip
contract_language = st.lists(st.sampled_from(VOCABULARY), max_size=60).map("".join)


@st.composite
def two_versions(draw: st.DrawFn) -> tuple[str, str]:
    """An article and an edited copy of it: some words struck, replaced or added."""
    words = draw(st.lists(st.sampled_from(VOCABULARY), max_size=60))
    edited = list(words)
    for _ in range(draw(st.integers(0, 6))):
        position = draw(st.integers(0, len(edited)))
        action = draw(st.sampled_from(["strike", "replace", "add"]))
        if action == "add" or position == len(edited):
            edited.insert(position, draw(st.sampled_from(VOCABULARY)))
        elif action == "strike":
            del edited[position]
        else:
            edited[position] = draw(st.sampled_from(VOCABULARY))
    return "".join(words), "".join(edited)


def assert_well_formed(result: Redline, before: str, after: str) -> None:
    assert before_text(result) == before
    assert after_text(result) == after
    assert all(segment.text for segment in result.segments)
    for first, second in zip(result.segments, result.segments[1:], strict=False):
        assert first.op != second.op, "neighbours of the same kind are merged"
        assert (first.op, second.op) != ("insert", "delete"), "struck text comes first"


@given(two_versions())
def test_any_edit_of_contract_language_reconstructs_both_versions(versions):
    before, after = versions
    assert_well_formed(redline(before, after), before, after)


@given(contract_language, contract_language)
def test_unrelated_contract_language_reconstructs_both_versions(before, after):
    assert_well_formed(redline(before, after), before, after)


@given(st.text(), st.text())
def test_arbitrary_unicode_reconstructs_both_versions(before, after):
    assert_well_formed(redline(before, after), before, after)


def assert_no_cut_inside_a_word(result: Redline, before: str, after: str) -> None:
    for text, side in ((before, "delete"), (after, "insert")):
        for cut in cut_positions(result, side):
            assert not (WORD_CHAR.match(text[cut - 1]) and WORD_CHAR.match(text[cut])), (text, cut)


@given(two_versions())
def test_no_change_begins_or_ends_inside_a_word(versions):
    before, after = versions
    assert_no_cut_inside_a_word(redline(before, after), before, after)


@given(st.text(), st.text())
def test_no_change_begins_or_ends_inside_a_word_in_any_script(before, after):
    assert_no_cut_inside_a_word(redline(before, after), before, after)


@given(st.text())
def test_same_text_on_both_sides_never_shows_a_change(text):
    result = redline(text, text)
    assert all(segment.op == "equal" for segment in result.segments)
    assert after_text(result) == text


def test_segments_are_immutable_values():
    assert Segment("insert", "x") == Segment("insert", "x")
    with pytest.raises(AttributeError):
        Segment("insert", "x").text = "y"  # type: ignore[misc]
