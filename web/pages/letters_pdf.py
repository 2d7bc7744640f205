"""Credential letters: one printable page per member, made from the credentials CSV the officials
saved at issuance (the platform keeps only each code's hash, so the codes exist only there).

`letters_from_csv` checks the CSV against the vote's roll (the columns of the issuance CSV, every
member eligible on the roll, each link this vote's ballot link for its row's code) and
`letters_pdf` draws the letters with fpdf2 in the same font as the TA document
(document_pdf.py): the member's name and worksite from the roll, the question and the window,
the code grouped by four for reading aloud, the link and its QR code (segno; one PNG pixel per
module, so it prints sharp at any size), and what to do, in the member's language. Nothing of it
is stored or logged.

A request makes at most LETTERS_PER_PART letters. bench/letters.py measured ≈ 15 ms of one core,
≈ 2.6 KB and ≈ 33 KB of Python memory while drawing a letter (half of the time is segno choosing
the QR code's mask): a national roll of 100,000 in one PDF would be ≈ 260 MB after ≈ 25 minutes
of a core, while a part of 500 is ≈ 1.3 MB in ≈ 8 s. The roll page sorts the saved CSV by
worksite and name and offers it in parts (web/static/js/vote-roll.js), made one request each.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cache
from uuid import UUID

import msgspec
import segno
from babel.dates import format_date, format_time
from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from negotiation.domain import errors
from negotiation.domain.ratification import Vote, VoteState
from negotiation.voting.service import Voting
from negotiation.voting.store import RollMember
from web.pages.document_pdf import FONT_DIR, _font
from web.pages.i18n import DEFAULT_LANGUAGE, LANGUAGES, Catalogs

CREDENTIAL_COLUMNS = ("member_id", "name", "email", "phone", "language", "worksite", "code", "link")
LETTERS_PER_PART = 500
MAX_PROBLEMS = 5  # rows named in one refusal


def N_(message: str) -> str:
    """Marks a message for the catalogs (pybabel extract); translated when a letter is drawn."""
    return message


TITLE = N_("Your code to vote on the tentative agreement")
WORKSITE = N_("Worksite: %(worksite)s")
QUESTION = N_("The question")
WINDOW = N_("Voting opens %(opens)s and closes %(closes)s (UTC).")
CODE = N_("Your voting code")
LINK = N_("Open this link, or scan the QR code with your phone's camera:")
HOW = N_(
    "The link opens your ballot with the code already filled in: you need no account. If the "
    "ballot page asks for your voting code, type it as printed above."
)
KEEP = N_(
    "Keep this letter to yourself: the code lets whoever holds it vote once, in your name. If "
    "you lose it, ask your election officials for a new one; this one then stops working."
)
SECRET = N_("Your choice is encrypted on your phone: nobody can see how you voted.")


class Letter(msgspec.Struct, frozen=True):
    member: RollMember
    code: str
    link: str


def letter_language(language: str) -> str:
    """The roll's language column ("es", "ES", "es-MX", "Spanish") → a catalog language."""
    tag = language.strip().lower().replace("_", "-").split("-")[0]
    if tag in ("spanish", "español", "espanol"):
        return "es"
    return tag if tag in LANGUAGES else DEFAULT_LANGUAGE


def grouped(code: str) -> str:
    """The code by groups of four, as issued (negotiation/voting/store.py: new_credential)."""
    text = re.sub(r"[^A-Z2-7]", "", code.upper())
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def ballot_link(base: str, negotiation_id: UUID, vote_id: UUID, code: str) -> str:
    """The link a member's credential comes with (CSV, reissue, letter). The credential
    travels in the fragment: browsers never send it to the server, so it appears in no access
    log; the ballot page reads it from location.hash."""
    return f"{base}/negotiations/{negotiation_id}/votes/{vote_id.hex}/ballot#credential={code}"


def _refuse(problems: list[str], total: int) -> None:
    if not problems:
        return
    more = total - len(problems)
    tail = f" (and {more} more rows)" if more > 0 else ""
    raise errors.InvalidRequest(
        "No letters were made: " + "; ".join(problems) + tail + ". Use the credentials CSV "
        "saved when the credentials were issued, as it was saved."
    )


def credential_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of a credentials CSV (line numbers as a spreadsheet shows them); refused when
    it lacks the issuance CSV's columns, holds no row or more than one part's letters."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CREDENTIAL_COLUMNS if c not in header]
    if missing:
        raise errors.InvalidRequest(
            "This is not the credentials CSV: it needs a header row with the columns "
            + ", ".join(CREDENTIAL_COLUMNS)
            + f"; missing: {', '.join(missing)}."
        )
    reader.fieldnames = header
    try:
        rows = [
            (line, {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)})
            for line, row in enumerate(reader, start=2)
        ]
    except csv.Error as bad:  # e.g. a field longer than the csv module's limit
        raise errors.InvalidRequest(f"The credentials CSV cannot be read: {bad}.") from None
    if not rows:
        raise errors.InvalidRequest("The credentials CSV holds no member: no letters to make.")
    if len(rows) > LETTERS_PER_PART:
        raise errors.InvalidRequest(
            f"At most {LETTERS_PER_PART:,} letters are made at once and this CSV has "
            f"{len(rows):,} rows: send it in parts (the roll page splits it for you)."
        )
    return rows


def letters_from_csv(
    rows: Iterable[tuple[int, dict[str, str]]],
    roll: dict[str, RollMember],
    negotiation_id: UUID,
    vote_id: UUID,
    holder: Callable[[str], str | None],
    base: str,
) -> list[Letter]:
    """The letters of these credential rows, each checked: its member eligible on this vote's
    roll and named once, its link this vote's ballot link on this platform (`base`) for its
    code — so an edited file cannot print letters pointing elsewhere — and its code the
    member's current credential (`holder`: the member a code belongs to, None if it is void or
    unknown), so a letter never carries a code that was replaced."""
    letters: list[Letter] = []
    problems: list[str] = []
    bad = 0
    seen: set[str] = set()

    def problem(sentence: str) -> None:
        nonlocal bad
        bad += 1
        if len(problems) < MAX_PROBLEMS:
            problems.append(sentence)

    for line, row in rows:
        member_id, code, link = row.get("member_id", ""), row.get("code", ""), row.get("link", "")
        member = roll.get(member_id)
        if member is None or not member.good_standing:
            problem(f"line {line}: member {member_id or '(none)'} is not on this vote's roll")
        elif member_id in seen:
            problem(f"line {line}: member {member_id} is on an earlier line too")
        elif link != ballot_link(base, negotiation_id, vote_id, code):
            problem(f"line {line}: the link is not this vote's ballot link for the row's code")
        elif holder(code) != member_id:
            problem(
                f"line {line}: the code is not member {member_id}'s current credential "
                "(reissued since, or from another vote)"
            )
        else:
            letters.append(Letter(member=member, code=code, link=link))
        seen.add(member_id)
    _refuse(problems, bad)
    return letters


@cache
def _catalogs() -> Catalogs:
    return Catalogs()


def _qr_png(link: str) -> io.BytesIO:
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=1, border=4)
    out.seek(0)
    return out


def letters_pdf(vote: VoteState, letters: list[Letter]) -> bytes:
    """One Letter-size page per letter, in the order given."""
    catalogs = _catalogs()
    pdf = FPDF(format="Letter")
    pdf.set_title("Credential letters")
    pdf.set_creator("negotiation platform")
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 25, 25)
    family = _font(pdf)
    mono = "courier"
    if family != "helvetica" and (FONT_DIR / "LiberationMono-Bold.ttf").is_file():
        pdf.add_font("liberation-mono", "B", str(FONT_DIR / "LiberationMono-Bold.ttf"))
        pdf.add_font("liberation-mono", "", str(FONT_DIR / "LiberationMono-Regular.ttf"))
        mono = "liberation-mono"

    def text(value: str) -> str:
        if family != "helvetica":
            return value
        return value.encode("latin-1", "replace").decode("latin-1")  # the built-in font's

    width = pdf.epw
    lines: dict[tuple[str, str, float, str], list[str]] = {}
    for letter in letters:
        lang = letter_language(letter.member.language)

        def _(message: str, lang: str = lang) -> str:
            return catalogs.gettext(lang, message)

        def when(value: datetime, lang: str = lang) -> str:
            # The day in words and the time without seconds (the sentence says UTC); Babel's
            # narrow no-break space before AM/PM is not in the font: a plain one.
            day = format_date(value.astimezone(UTC), "full", locale=lang)
            time = format_time(value, "short", tzinfo=UTC, locale=lang)
            return f"{day}, {time}".replace("\u202f", " ")

        def block(
            value: str, size: float, style: str = "", font: str = family, gap: float = 2
        ) -> None:
            pdf.set_font(font, style, size)
            key = (font, style, size, value)
            if key not in lines:  # fpdf2's line breaking is most of a letter's time
                broken = pdf.multi_cell(
                    width, text=text(value), dry_run=True, output=MethodReturnValue.LINES
                )
                lines[key] = broken if isinstance(broken, list) else [text(value)]
            for line in lines[key]:
                pdf.cell(width, size * 0.5, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(gap)

        pdf.add_page()
        block(letter.member.name, 16, "B", gap=1)
        if letter.member.worksite:
            block(_(WORKSITE) % {"worksite": letter.member.worksite}, 11, gap=6)
        block(_(TITLE), 14, "B", gap=4)
        block(_(QUESTION), 10, "B", gap=0)
        block(vote.question, 12, gap=2)
        block(_(WINDOW) % {"opens": when(vote.opens_at), "closes": when(vote.closes_at)}, 11, gap=6)
        block(_(CODE), 10, "B", gap=1)
        block(grouped(letter.code), 18, "B", font=mono, gap=6)
        block(_(LINK), 11, gap=1)
        block(letter.link, 9, font=mono, gap=3)
        side = 45.0
        pdf.image(_qr_png(letter.link), x=pdf.l_margin, y=pdf.get_y(), w=side, h=side)
        pdf.set_y(pdf.get_y() + side + 6)
        block(_(HOW), 11, gap=3)
        block(_(KEEP), 11, gap=3)
        block(_(SECRET), 11, gap=0)
    return bytes(pdf.output())


def credential_letters(
    voting: Voting, negotiation_id: UUID, vote: Vote, text: str, base: str
) -> bytes:
    """The letters PDF of a credentials CSV, for an election official (checked by the caller);
    refused whole, with the rows at fault, when any row cannot make a good letter."""
    if not vote.state.credentials_issued:
        raise errors.VoteStepRefused(
            "The credentials have not been issued yet: issue them, then make the letters "
            "from the CSV you saved."
        )
    rows = credential_rows(text)
    # One read of the part's members and one of its codes, not one per row.
    named = [row.get("member_id", "") for _, row in rows]
    roll = {m.member_id: m for m in voting.store.members(vote.id.hex, only=named)}
    holders = voting.store.credential_members(vote.id.hex, [row.get("code", "") for _, row in rows])
    letters = letters_from_csv(rows, roll, negotiation_id, vote.id, holders.get, base)
    return letters_pdf(vote.state, letters)
