"""Not a benchmark: what the benchmarks share (percentiles, CPU time read from /proc on
Linux, serving the app in a child process). Imported by commands.py, fanout.py and
replay.py; it prints nothing itself."""

from __future__ import annotations

import asyncio
import math
import os
import time
from array import array
from multiprocessing.connection import Connection
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def percentile(sorted_values: list[float] | array[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds summed over all cores, from /proc/stat (steal is not busy)."""
    with open("/proc/stat") as f:
        user, nice, system, idle, iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    busy = user + nice + system + irq + softirq
    return busy / CLOCK_TICKS, (busy + idle + iowait + steal) / CLOCK_TICKS


def postgres_cpu_seconds() -> float:
    """CPU time of every process named ``postgres`` on this machine (the server and backends)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
        except OSError:
            continue
        total += process_cpu_seconds(int(entry))
    return total


def sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def serve_and_report_port(server: Any, conn: Connection, sockets: list[Any] | None = None) -> None:
    """In a server child process: run a `uvicorn.Server`, send its port (None if it failed to
    start) to the parent through `conn`, then serve until SIGTERM (uvicorn then runs the
    lifespan shutdown)."""

    async def main() -> None:
        serving = asyncio.create_task(server.serve(sockets=sockets))
        while not server.started:
            if serving.done():
                conn.send(None)
                await serving  # raises the startup error, if any
                return
            await asyncio.sleep(0.02)
        conn.send(server.servers[0].sockets[0].getsockname()[1])
        await serving

    with asyncio.Runner(loop_factory=server.config.get_loop_factory()) as runner:
        runner.run(main())
