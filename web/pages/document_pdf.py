"""The ratification document as a PDF: the same template as the ballot page (ta_document.html,
rendered with pdf=true), drawn by fpdf2's write_html (pure Python, like the results PDF).

The text is drawn in Liberation Sans (Debian's fonts-liberation, scripts/system-packages.sh), a
Unicode TrueType font, so Spanish and any contract's punctuation print as typed; where it is
missing the PDF falls back to the built-in Latin-1 Helvetica, with '?' for what it cannot draw.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype/liberation")
STYLES = {"": "Regular", "B": "Bold", "I": "Italic", "BI": "BoldItalic"}


def _font(pdf: FPDF) -> str:
    """The family to draw with: Liberation Sans when installed, else the built-in Helvetica."""
    files = {style: FONT_DIR / f"LiberationSans-{name}.ttf" for style, name in STYLES.items()}
    if not all(path.is_file() for path in files.values()):
        return "helvetica"
    for style, path in files.items():
        pdf.add_font("liberation", style, str(path))
    return "liberation"


def document_pdf(html: str, title: str) -> bytes:
    pdf = FPDF(format="Letter")
    pdf.set_title(title)
    pdf.set_creator("negotiation platform")
    family = _font(pdf)
    if family == "helvetica":
        html = html.encode("latin-1", "replace").decode("latin-1")
    pdf.add_page()
    pdf.set_font(family, size=11)
    pdf.write_html(html, font_family=family)
    return bytes(pdf.output())
