"""`negotiation serve` on its embedded PostgreSQL: a SIGTERM stops the database with the server."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _processes_using(path: Path) -> list[int]:
    """Running processes whose command line names `path` (the postmaster names its data dir)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(path) in cmdline and _alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Running, that is: an exited postmaster is a zombie until PID 1 gets round to reaping it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_stops_the_embedded_postgresql_with_the_server(tmp_path, workers):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "XDG_RUNTIME_DIR")}
    env.update(NEGOTIATION_DATA_DIR=str(tmp_path), PYTHONPATH=str(REPO))
    serve = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", "--port", "0", "--workers", workers],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert serve.stderr is not None
        for line in serve.stderr:  # uvicorn logs this once the signal handlers are in place
            if "Application startup complete" in line:
                break
        else:
            pytest.fail(f"negotiation serve exited before starting (code {serve.wait()})")
        pgdata = tmp_path / "pgdata-root" / "pgdata"
        postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
        assert _alive(postmaster)

        serve.send_signal(signal.SIGTERM)
        rest = serve.stderr.read()
        assert serve.wait(timeout=60) == 0, rest
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()

    assert not _alive(postmaster), rest
    assert _processes_using(pgdata) == []
    assert not (pgdata / "postmaster.pid").exists()
