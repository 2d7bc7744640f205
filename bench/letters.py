"""Benchmark: credential letters as the roll page asks for them (web/pages/letters_pdf.py).

What one part costs the server to draw, and what a whole national roll would cost as one PDF,
the figures behind LETTERS_PER_PART. No server and no database: the rows' checks against the
roll are one indexed query a row (credential_holder), small beside the drawing; this times
`letters_pdf` alone, in this process, on one core.

1. Untimed: ``--letters`` members (half "es", half "en", 20 worksites) with fresh codes and
   ballot links as issuance makes them (a link is ≈ 177 characters: QR version 9).
2. Timed: ``letters_pdf`` of all of them as one PDF, once as a warm-up part of 10 and then
   ``--letters``: ``ms_per_1000`` (wall) and ``cpu_ms_per_1000``, ``bytes_per_1000``,
   ``rss_growth_mb`` (peak resident set growth while drawing, from getrusage; 0 when it fits
   in what the imports already reached), ``traced_peak_mb_per_1000`` (tracemalloc's peak of
   Python allocations on a sample of 200, scaled), and what a
   roll of ``--roll`` members would take in one PDF (``roll_*``, by proportion) against the
   part the page asks for (``part_*``).

    .venv/bin/python bench/letters.py                   # 1,000 letters
    .venv/bin/python bench/letters.py --letters 200     # quicker

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from negotiation.domain.ratification import VoteState  # noqa: E402
from negotiation.voting.store import RollMember, new_credential  # noqa: E402
from web.pages.letters_pdf import LETTERS_PER_PART, Letter, ballot_path, letters_pdf  # noqa: E402


def made_letters(n: int) -> list[Letter]:
    negotiation_id, vote_id = uuid.uuid4(), uuid.uuid4()
    path = "https://vote.example-union.org" + ballot_path(negotiation_id, vote_id)
    letters = []
    for i in range(n):
        code = new_credential()
        member = RollMember(
            member_id=f"M{i:06d}",
            name=f"Ana María Núñez-Ortega {i}",
            worksite=f"Worksite {i % 20}",
            language="es" if i % 2 else "en",
        )
        letters.append(Letter(member=member, code=code, link=f"{path}#credential={code}"))
    return letters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=1_000)
    parser.add_argument("--roll", type=int, default=100_000)
    args = parser.parse_args()
    now = datetime.now(UTC)
    vote = VoteState(
        negotiation_id=str(uuid.uuid4()),
        question="Do you ratify the tentative agreement?",
        options=["yes", "no"],
        threshold="majority",
        quorum=None,
        opens_at=now,
        closes_at=now + timedelta(days=3),
        retention_days=90,
        document_hash="",
    )
    letters_pdf(vote, made_letters(10))  # warm-up: imports, fonts, catalogs
    letters = made_letters(args.letters)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu = time.perf_counter(), time.process_time()
    pdf = letters_pdf(vote, letters)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    # Python's own allocations while drawing (tracemalloc slows it down: a sample, untimed).
    sample = letters[: min(200, args.letters)]
    tracemalloc.start()
    letters_pdf(vote, sample)
    traced_peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    per = 1000 / args.letters
    result = {
        "letters": args.letters,
        "ms_per_1000": round(wall * 1000 * per),
        "cpu_ms_per_1000": round(cpu * 1000 * per),
        "bytes_per_1000": round(len(pdf) * per),
        "rss_growth_mb": round(rss_growth, 1),
        "traced_peak_mb_per_1000": round(traced_peak * 1000 / len(sample), 1),
        "part_letters": LETTERS_PER_PART,
        "part_s": round(wall * LETTERS_PER_PART / args.letters, 1),
        "part_mb": round(len(pdf) * LETTERS_PER_PART / args.letters / 1e6, 2),
        "roll": args.roll,
        "roll_one_pdf_s": round(wall * args.roll / args.letters),
        "roll_one_pdf_mb": round(len(pdf) * args.roll / args.letters / 1e6),
        "load_average": round(os.getloadavg()[0], 2),
    }
    print(
        f"{args.letters} letters: {wall:.1f} s ({cpu:.1f} s CPU), {len(pdf):,} bytes, "
        f"peak RSS +{rss_growth:.0f} MB, traced peak ≈ "
        f"{result['traced_peak_mb_per_1000']} MB per 1,000; "
        f"a part of {LETTERS_PER_PART}: {result['part_s']} s, "
        f"{result['part_mb']} MB; {args.roll:,} in one PDF: ≈ {result['roll_one_pdf_s']} s, "
        f"{result['roll_one_pdf_mb']} MB"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
