"""Each step of a vote says what it did in the audit history (projections/audit/votes.py)."""

from projections.audit.votes import describe


def test_a_written_summary_names_the_new_document_hash_and_not_its_text():
    written = describe(
        "SummaryWritten",
        {"article_id": "a1", "text": "Raises of 3 % a year", "document_hash": "ab" * 32},
        ["yes", "no"],
    )
    assert written.startswith("The union wrote the plain-language summary of an agreed article")
    assert "ab" * 32 in written and "3 %" not in written
    removed = describe("SummaryWritten", {"article_id": None, "text": ""}, ["yes", "no"])
    assert removed.startswith("The union removed the plain-language summary of the whole")
