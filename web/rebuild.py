"""`negotiation rebuild`: replay the whole event log into every projection, with a progress bar
(then the votes' events into their audit chains)."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import TextIO

import asyncpg

from negotiation.database import DatabaseConfig
from projections.runner import WRITER_LOCK, Projector


class ProgressBar:
    """A one-line bar on a terminal; plain periodic lines when the output is not a terminal."""

    def __init__(self, out: TextIO = sys.stderr, width: int = 30) -> None:
        self.out = out
        self.width = width
        self.started = time.monotonic()
        self.last_line = 0.0
        self.tty = out.isatty()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        finished = total > 0 and done >= total
        if not finished and now - self.last_line < (0.1 if self.tty else 5.0):
            return
        self.last_line = now
        share = done / total if total else 1.0
        filled = int(share * self.width)
        rate = done / max(now - self.started, 1e-9)
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {share:6.1%} "
            f"{done:,}/{total:,} events  {rate:,.0f}/s"
        )
        if self.tty:
            self.out.write("\r" + line + ("\n" if finished else ""))
        else:
            self.out.write(line + "\n")
        self.out.flush()


async def rebuild(config: DatabaseConfig, out: TextIO = sys.stderr) -> int:
    """Rebuild every projection from position zero; refuses while a server is writing them."""
    lock = await asyncpg.connect(**config.asyncpg_kwargs())
    pool = await asyncpg.create_pool(**config.asyncpg_kwargs(), min_size=3, max_size=3)
    try:
        if not await lock.fetchval("SELECT pg_try_advisory_lock($1)", WRITER_LOCK):
            raise SystemExit(
                "A running server is writing the projections: stop every `negotiation serve` "
                "on this database first (they catch up by themselves when restarted)."
            )
        projector = Projector(pool)
        await projector.create_tables()
        started = time.monotonic()
        events = await projector.rebuild(progress=ProgressBar(out))
        seconds = time.monotonic() - started
        votes = f" and {projector.vote_events:,} vote events" if projector.vote_events else ""
        out.write(
            f"Rebuilt every projection from {events:,} events{votes} in {seconds:.1f} s "
            f"({events / max(seconds, 1e-9):,.0f} events/s).\n"
        )
        return events
    finally:
        await pool.close()
        await lock.close()


def run_rebuild(config: DatabaseConfig) -> int:
    return asyncio.run(rebuild(config))
