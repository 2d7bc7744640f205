"""The certified results as a PDF (fpdf2, pure Python), carrying the election record's hash."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF

from negotiation.domain.ratification import Vote

OUTCOMES = {
    "ratified": "RATIFIED",
    "rejected": "NOT RATIFIED (the members voted no)",
    "quorum_missed": "NOT RATIFIED (quorum missed)",
}


def _latin(text: str) -> str:
    # The PDF's built-in fonts are Latin-1: anything else is shown as '?' rather than failing.
    return text.encode("latin-1", "replace").decode("latin-1")


def results_pdf(vote: Vote, results: dict[str, Any]) -> bytes:
    s = vote.state
    pdf = FPDF(format="Letter")
    pdf.set_title("Certified results")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, "Certified results of the ratification vote", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=12)
    lines = [
        f"Question: {s.question}",
        f"Voting window: {s.opens_at:%Y-%m-%d %H:%M} to {s.closes_at:%Y-%m-%d %H:%M} UTC",
        f"Outcome: {OUTCOMES.get(results['outcome'], results['outcome'])}",
        "",
        *(f"{option}: {count}" for option, count in results["counts"].items()),
        f"Turnout: {results['turnout']} of {results['roll']} on the certified roll",
        f"Threshold: {s.threshold} of yes + no; quorum: {s.quorum or 'none'}",
        "",
        f"Vote id: {vote.id.hex}",
        f"Document hash (the tentative agreement): {s.document_hash}",
        f"Roll hash: {s.roll_hash}",
        f"Election record SHA-256: {results['record_hash']}",
        "",
        "Anyone can re-check every ballot's proofs and the tally from the public election",
        "record: negotiation verify-vote RECORD.json. Its SHA-256 must equal the hash above.",
    ]
    for line in lines:
        pdf.multi_cell(0, 7, _latin(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
