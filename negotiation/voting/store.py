"""The voter roll, credentials and participation: ordinary tables, never events (only hashes are).

Secrecy by construction: no table here has a ballot, a tracking code, a log position or a time of
day. Participation is (vote, member, day). Credentials are stored only as SHA-256 hashes (a
credential has 160 random bits, so a slow hash adds nothing). The one link between a member and
a ballot that this design cannot remove is PostgreSQL's own bookkeeping (the transaction id
shared by the participation row and the ballot event, the WAL): docs/SECRECY.md says what that
means — an operator reading it learns that member X cast ciphertext C, which still hides the
choice unless k officials pool their key files.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

import msgspec
from psycopg_pool import ConnectionPool

from negotiation.domain import errors
from negotiation.voting.recorder import SPEND_FUNCTION

SCHEMA = """
CREATE TABLE IF NOT EXISTS vote_roll (
    vote_id text NOT NULL, member_id text NOT NULL, name text NOT NULL,
    email text NOT NULL DEFAULT '', phone text NOT NULL DEFAULT '',
    worksite text NOT NULL DEFAULT '', classification text NOT NULL DEFAULT '',
    language text NOT NULL DEFAULT '', good_standing boolean NOT NULL,
    PRIMARY KEY (vote_id, member_id));
CREATE TABLE IF NOT EXISTS vote_credentials (
    credential_hash bytea PRIMARY KEY, vote_id text NOT NULL, member_id text NOT NULL,
    void boolean NOT NULL DEFAULT false);
CREATE INDEX IF NOT EXISTS vote_credentials_member ON vote_credentials (vote_id, member_id);
CREATE TABLE IF NOT EXISTS vote_participation (
    vote_id text NOT NULL, member_id text NOT NULL, voted_on date NOT NULL,
    PRIMARY KEY (vote_id, member_id));
CREATE TABLE IF NOT EXISTS vote_ciphertexts (
    vote_id text NOT NULL, alpha bytea NOT NULL, PRIMARY KEY (vote_id, alpha));
CREATE TABLE IF NOT EXISTS vote_roll_imports (
    vote_id text PRIMARY KEY, rows_done integer NOT NULL, rows_total integer NOT NULL,
    done boolean NOT NULL);
""" + SPEND_FUNCTION
SCHEMA_LOCK = 727_011
NOT_ON_ROLL = (
    "That credential is not valid for this vote: check the code in your letter, "
    "or ask the election officials for a new one."
)
PROGRESS_EVERY = 5_000
COLUMNS = (
    "member_id",
    "name",
    "email",
    "phone",
    "worksite",
    "classification",
    "language",
    "good_standing",
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ().-]{7,20}$")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


Field = Annotated[str, msgspec.Meta(max_length=500, pattern=r"^[^\x00]*$")]


class RollMember(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    member_id: Field
    name: Field
    email: Field = ""
    phone: Field = ""
    worksite: Field = ""
    classification: Field = ""
    language: Field = ""
    good_standing: bool = True


class RejectedRow(msgspec.Struct, frozen=True):
    line: int
    member_id: str
    reason: str


class RollReport(msgspec.Struct, frozen=True):
    accepted: int
    eligible: int
    rejected: list[RejectedRow]


@dataclass
class _Checked:
    members: list[RollMember] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def check(self, line: int, raw: Mapping[str, str]) -> RollMember | None:
        """One row accepted (the member) or rejected with the reason (duplicate, missing
        field, bad contact)."""
        row = {k: (v or "").strip() for k, v in raw.items() if k in COLUMNS}
        member_id = row.get("member_id", "")
        reason = _problem(row)
        if reason is None and member_id in self.seen:
            reason = "duplicate member id"
        if reason is not None:
            self.rejected.append(RejectedRow(line, member_id, reason))
            return None
        self.seen.add(member_id)
        member = RollMember(
            member_id=member_id,
            name=row["name"],
            email=row.get("email", ""),
            phone=row.get("phone", ""),
            worksite=row.get("worksite", ""),
            classification=row.get("classification", ""),
            language=row.get("language", ""),
            good_standing=row["good_standing"].lower() in YES,
        )
        self.members.append(member)
        return member


def credential_hash(code: str) -> bytes:
    """The stored form of a credential: SHA-256 of the code without its dashes or case."""
    normalized = re.sub(r"[^A-Z2-7]", "", code.upper())
    return hashlib.sha256(b"ratify/v1/credential\x00" + normalized.encode()).digest()


def new_credential() -> str:
    """160 random bits in base32, grouped by four for reading aloud or typing from a letter."""
    text = base64.b32encode(secrets.token_bytes(20)).decode()
    return "-".join(text[i : i + 4] for i in range(0, 32, 4))


def _problem(member: Mapping[str, str]) -> str | None:
    for required in ("member_id", "name"):
        if not member.get(required, "").strip():
            return f"missing {required}"
    email, phone = member.get("email", "").strip(), member.get("phone", "").strip()
    if not email and not phone:
        return "no email or phone"
    if email and not EMAIL.match(email):
        return "bad email"
    if phone and not PHONE.match(phone):
        return "bad phone"
    if member.get("good_standing", "").strip().lower() not in YES | NO:
        return "good_standing must be yes or no"
    if any("\x00" in v for v in member.values()) or any(len(v) > 500 for v in member.values()):
        return "a field is too long or holds a NUL"
    return None


def csv_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in ("member_id", "name", "good_standing") if c not in header]
    if missing:
        raise errors.InvalidRequest(
            "The CSV needs a header row with the columns "
            + ", ".join(COLUMNS)
            + f"; missing: {', '.join(missing)}."
        )
    reader.fieldnames = header
    for number, row in enumerate(reader, start=2):
        yield number, {k: v for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}


def roll_hash(members: Iterable[RollMember]) -> str:
    """SHA-256 over the eligible members (id, name, worksite, classification), by member id:
    what the officials certify, bound into every ballot's context. Contact data is left out, so
    purging it later does not change what was certified."""
    digest = hashlib.sha256(b"ratify/v1/roll\x00")
    for m in sorted(members, key=lambda m: m.member_id):
        if m.good_standing:
            digest.update(msgspec.json.encode([m.member_id, m.name, m.worksite, m.classification]))
            digest.update(b"\n")
    return digest.hexdigest()


class VotingStore:
    """The roll, credentials, participation and spent ciphertexts of every vote."""

    def __init__(self, pool: ConnectionPool[Any]) -> None:
        self.pool = pool

    def create_schema(self) -> None:
        with self.pool.connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
            try:
                conn.execute(SCHEMA)
                conn.commit()
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))
                conn.commit()

    # ------------------------------------------------------------------ roll
    def replace_roll(
        self, vote_id: str, rows: Iterable[tuple[int, Mapping[str, str]]], total: int
    ) -> RollReport:
        """Replace the vote's roll, checking each row as it is written (one pass: the rows
        seen so far are the progress others see)."""
        self._progress(vote_id, 0, total, done=False)
        checked = _Checked()
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("DELETE FROM vote_roll WHERE vote_id = %s", (vote_id,))
            with conn.cursor().copy(
                "COPY vote_roll (vote_id, member_id, name, email, phone, worksite, classification,"
                " language, good_standing) FROM STDIN"
            ) as copy:
                for n, (line, raw) in enumerate(rows, start=1):
                    if n % PROGRESS_EVERY == 0:
                        self._progress(vote_id, n, total, done=False)
                    m = checked.check(line, raw)
                    if m is None:
                        continue
                    copy.write_row(
                        (
                            vote_id,
                            m.member_id,
                            m.name,
                            m.email,
                            m.phone,
                            m.worksite,
                            m.classification,
                            m.language,
                            m.good_standing,
                        )
                    )
        self._progress(vote_id, total, total, done=True)
        eligible = sum(1 for m in checked.members if m.good_standing)
        return RollReport(len(checked.members), eligible, checked.rejected)

    def _progress(self, vote_id: str, done_rows: int, total: int, *, done: bool) -> None:
        # Its own connection and commit: the importing transaction is not visible until the end.
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO vote_roll_imports VALUES (%s, %s, %s, %s) ON CONFLICT (vote_id) DO "
                "UPDATE SET rows_done = EXCLUDED.rows_done, rows_total = EXCLUDED.rows_total, "
                "done = EXCLUDED.done",
                (vote_id, done_rows, total, done),
            )

    def progress(self, vote_id: str) -> dict[str, Any]:
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT rows_done, rows_total, done FROM vote_roll_imports WHERE vote_id = %s",
                (vote_id,),
            ).fetchone()
        if row is None:
            return {"rows_done": 0, "rows_total": 0, "done": False}
        return {"rows_done": row[0], "rows_total": row[1], "done": row[2]}

    def members(self, vote_id: str, only: list[str] | None = None) -> list[RollMember]:
        """The roll (or the members of it named in `only`), by member id."""
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT member_id, name, email, phone, worksite, classification, language, "
                "good_standing FROM vote_roll WHERE vote_id = %s "
                "AND (%s::text[] IS NULL OR member_id = ANY(%s::text[])) ORDER BY member_id",
                (vote_id, only, only),
            ).fetchall()
        return [RollMember(*row) for row in rows]

    def credential_members(self, vote_id: str, codes: list[str]) -> dict[str, str]:
        """Of these codes, those that are a current credential of the vote, with its member."""
        by_hash = {credential_hash(code): code for code in codes}
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT credential_hash, member_id FROM vote_credentials WHERE vote_id = %s "
                "AND NOT void AND credential_hash = ANY(%s)",
                (vote_id, list(by_hash)),
            ).fetchall()
        return {by_hash[bytes(h)]: member for h, member in rows}

    # ------------------------------------------------------------------ credentials
    def issue_credentials(self, vote_id: str) -> list[tuple[RollMember, str]]:
        """One new credential per eligible member; only the hashes are kept."""
        members = [m for m in self.members(vote_id) if m.good_standing]
        issued = [(m, new_credential()) for m in members]
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("DELETE FROM vote_credentials WHERE vote_id = %s", (vote_id,))
            with conn.cursor().copy(
                "COPY vote_credentials (credential_hash, vote_id, member_id) FROM STDIN"
            ) as copy:
                for m, code in issued:
                    copy.write_row((credential_hash(code), vote_id, m.member_id))
        return issued

    def reissue_credential(self, vote_id: str, member_id: str) -> str:
        code = new_credential()
        with self.pool.connection() as conn, conn.transaction():
            member = conn.execute(
                "SELECT good_standing FROM vote_roll WHERE vote_id = %s AND member_id = %s",
                (vote_id, member_id),
            ).fetchone()
            if member is None or not member[0]:
                raise errors.NotOnRoll(f"Member {member_id} is not eligible on this vote's roll.")
            # Lock the member's credentials: a ballot being cast with the old one either commits
            # first (then this sees the participation and refuses) or finds it void.
            conn.execute(
                "SELECT 1 FROM vote_credentials WHERE vote_id = %s AND member_id = %s FOR UPDATE",
                (vote_id, member_id),
            )
            if self.has_voted(vote_id, member_id, conn):
                raise errors.SecondBallot(
                    f"Member {member_id} has already voted; a credential cannot be reissued."
                )
            conn.execute(
                "UPDATE vote_credentials SET void = true WHERE vote_id = %s AND member_id = %s",
                (vote_id, member_id),
            )
            conn.execute(
                "INSERT INTO vote_credentials (credential_hash, vote_id, member_id) "
                "VALUES (%s, %s, %s)",
                (credential_hash(code), vote_id, member_id),
            )
        return code

    def credential_holder(self, vote_id: str, code: str) -> tuple[str, bool]:
        """(member id, has voted) for a valid credential; not_on_roll otherwise."""
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT c.member_id, p.member_id IS NOT NULL FROM vote_credentials c "
                "LEFT JOIN vote_participation p ON p.vote_id = c.vote_id "
                "AND p.member_id = c.member_id "
                "WHERE c.credential_hash = %s AND c.vote_id = %s AND NOT c.void",
                (credential_hash(code), vote_id),
            ).fetchone()
        if row is None:
            raise errors.NotOnRoll(NOT_ON_ROLL)
        return row[0], bool(row[1])

    def credential_hashes(self, vote_id: str) -> frozenset[bytes]:
        """The hashes of the vote's credentials not voided (spent or not)."""
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT credential_hash FROM vote_credentials WHERE vote_id = %s AND NOT void",
                (vote_id,),
            ).fetchall()
        return frozenset(bytes(r[0]) for r in rows)

    @staticmethod
    def has_voted(vote_id: str, member_id: str, conn: Any) -> bool:
        return (
            conn.execute(
                "SELECT 1 FROM vote_participation WHERE vote_id = %s AND member_id = %s",
                (vote_id, member_id),
            ).fetchone()
            is not None
        )

    # ------------------------------------------------------------------ turnout, participation
    def turnout(self, vote_id: str, *, by_group: bool) -> dict[str, Any]:
        """Count and share of the roll that has voted; by worksite and classification only when
        `by_group` (for the officials: a group of one shows whether that member voted)."""
        with self.pool.connection() as conn:
            groups: dict[str, list[dict[str, Any]]] = {"worksite": [], "classification": []}
            for column in groups if by_group else ():
                rows = conn.execute(
                    f"SELECT r.{column}, count(*), count(p.member_id) FROM vote_roll r "
                    "LEFT JOIN vote_participation p ON p.vote_id = r.vote_id "
                    "AND p.member_id = r.member_id WHERE r.vote_id = %s AND r.good_standing "
                    f"GROUP BY r.{column} ORDER BY r.{column}",
                    (vote_id,),
                ).fetchall()
                groups[column] = [{"group": g, "roll": n, "voted": v} for g, n, v in rows]
            total = conn.execute(
                "SELECT count(*), count(p.member_id) FROM vote_roll r "
                "LEFT JOIN vote_participation p ON p.vote_id = r.vote_id "
                "AND p.member_id = r.member_id WHERE r.vote_id = %s AND r.good_standing",
                (vote_id,),
            ).fetchone()
        roll, voted = total if total is not None else (0, 0)
        return {
            "voted": voted,
            "roll": roll,
            "share": round(voted / roll, 4) if roll else 0.0,
            "by_worksite": groups["worksite"],
            "by_classification": groups["classification"],
        }

    def participation(self, vote_id: str, *, voted: bool) -> list[dict[str, Any]]:
        """Who has (or has not yet) voted, by member id; the day only, never a time or order."""
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT r.member_id, r.name, r.email, r.phone, r.worksite, r.classification, "
                "r.language, p.voted_on FROM vote_roll r LEFT JOIN vote_participation p "
                "ON p.vote_id = r.vote_id AND p.member_id = r.member_id "
                "WHERE r.vote_id = %s AND r.good_standing AND (p.member_id IS NOT NULL) = %s "
                "ORDER BY r.member_id",
                (vote_id, voted),
            ).fetchall()
        keys = ("member_id", "name", "email", "phone", "worksite", "classification", "language")
        return [
            {
                **dict(zip(keys, row[:7], strict=True)),
                "voted_on": row[7].isoformat() if row[7] else None,
            }
            for row in rows
        ]

    # ------------------------------------------------------------------ retention
    def purge(self, vote_id: str) -> None:
        """Contact data, credential hashes and participation go; the public record stays."""
        with self.pool.connection() as conn, conn.transaction():
            conn.execute(
                "UPDATE vote_roll SET email = '', phone = '' WHERE vote_id = %s", (vote_id,)
            )
            conn.execute("DELETE FROM vote_credentials WHERE vote_id = %s", (vote_id,))
            conn.execute("DELETE FROM vote_participation WHERE vote_id = %s", (vote_id,))
