"""`negotiation serve --workers 2`: two server processes on one port and one database, each a
node of its own; viewers connected to either get every change, at the same positions."""

import asyncio
import os
import re
from pathlib import Path

import httpx

from negotiation.database import DatabaseConfig
from tests.live_support import FeedClient, has_article
from tests.reliability.nodes import ServerProcess, handing_out, make_people, running
from tests.support import open_article, open_table, wait_until

MAX_VIEWERS = 200  # opened until both workers hold some (the kernel picks who accepts)


def _workers(parent: int) -> list[int]:
    """uvicorn's worker processes under `parent` (spawned: `spawn_main` in their command)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = re.search(r"^PPid:\s+(\d+)$", status, re.M)
        if ppid and int(ppid[1]) == parent and b"spawn_main" in cmdline:
            children.append(int(entry.name))
    return children


def _zombie(pid: int) -> bool:
    try:
        return "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True


def _connections_to(pid: int, port: int) -> int:
    """Established TCP connections on `port` held by the process `pid` (by socket inode)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == "01" and fields[9] in inodes:
            count += 1
    return count


async def test_two_workers_share_the_port_and_every_viewer_gets_each_change(
    own_database: DatabaseConfig, node_dir
) -> None:
    server = ServerProcess(own_database, node_dir, "workers", extra_args=("--workers", "2"))
    with running(server.start()):
        await server.wait_ready()
        assert server.process is not None
        workers = _workers(server.process.pid)
        assert len(workers) == 2, workers
        people = await make_people(own_database, 2)
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            table = await open_table(http, handing_out(people))
            nid = table.negotiation_id
            viewers: list[FeedClient] = []
            while len(viewers) < MAX_VIEWERS:
                viewer = FeedClient(server.ws_url(nid))
                await viewer.open()
                assert (await viewer.receive())["type"] == "snapshot"
                viewers.append(viewer)
                if len(viewers) >= 4 and all(_connections_to(w, server.port) for w in workers):
                    break
            # given: viewers on both workers
            assert all(_connections_to(w, server.port) for w in workers), len(viewers)

            # when: a command, through whichever worker takes it
            await open_article(http, table, number="7")

            # then: every viewer gets the new article, at the same position
            changes = await asyncio.gather(
                *(viewer.receive_until(has_article("7")) for viewer in viewers)
            )
            assert len({change["position"] for change in changes}) == 1
            for viewer in viewers:
                await viewer.close()

        # and when the command is killed outright, its workers go too (no orphans serving)
        server.kill()

        async def all_gone() -> bool:
            return not [w for w in workers if Path(f"/proc/{w}").exists() and not _zombie(w)]

        await wait_until(all_gone, what="the workers ending with the command", timeout=10)
