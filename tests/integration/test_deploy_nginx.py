"""docs/deploy/nginx.conf, run by Debian's nginx on loopback in front of the app, over HTTPS:
the Secure cookie, cross-site refusals, live feeds through the proxy, no spoofed addresses."""

import json
import os
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.support import PASSWORD, LiveServer, expect, open_table
from web.app import create_app
from web.settings import Settings

SITE = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = pytest.mark.skipif(
    not os.path.exists(NGINX) or shutil.which("openssl") is None,
    reason="nginx or openssl is missing: scripts/system-packages.sh installs them (needs root)",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_listening(port: int, nginx: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        if nginx.poll() is not None:
            pytest.fail(f"nginx exited: {log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # waiting for a condition (the port), not a guessed duration


@pytest.fixture(scope="module")
def app_behind_proxy(database, negotiations):
    live = LiveServer.start(
        create_app(
            Settings(port=0, trusted_proxies=("127.0.0.1",), login_window_seconds=60),
            database=database,
        )
    )
    yield live
    live.stop()


@pytest.fixture(scope="module")
def nginx(app_behind_proxy, tmp_path_factory):
    """The documented site, its example names and ports replaced by loopback ones."""
    root = tmp_path_factory.mktemp("nginx")
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    https_port, http_port = _free_port(), _free_port()
    site = SITE.read_text()
    for example, real in {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_behind_proxy.port};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "/etc/letsencrypt/live/negotiation.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/negotiation.example.org/privkey.pem": str(key),
    }.items():
        assert example in site, f"docs/deploy/nginx.conf no longer has {example!r}"
        site = site.replace(example, real)
    (root / "site.conf").write_text(site)
    temp = "".join(
        f"{kind}_temp_path {root / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (root / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {root / 'nginx.pid'};\nerror_log {root / 'error.log'};\n"
        + "events {}\nhttp {\n  access_log off;\n"
        + temp
        + f"  include {root / 'site.conf'};\n}}\n"
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        _wait_until_listening(https_port, process, root / "error.log")
        yield f"https://127.0.0.1:{https_port}", ssl.create_default_context(cafile=str(cert))
    finally:
        process.terminate()
        process.wait(timeout=30)


async def test_over_https_through_nginx_the_cookie_is_secure_and_pages_are_own_origin(
    nginx, http, people
):
    base, tls = nginx
    table = await open_table(http, people)
    async with httpx.AsyncClient(base_url=base, verify=tls) as browser:
        login = await browser.post(
            "/api/auth/login", json={"username": table.union.username, "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        assert "secure" in login.headers["set-cookie"].lower()
        assert "max-age=31536000" in login.headers["strict-transport-security"]
        await expect(
            await browser.post(
                f"{table.base}/notes", json={"text": "via nginx"}, headers={"origin": base}
            ),
            201,
        )
        forged = await browser.post(
            f"{table.base}/notes",
            json={"text": "forged"},
            headers={"origin": "https://evil.example"},
        )
        assert forged.status_code == 403
        cookie = f"negotiation_session={browser.cookies['negotiation_session']}"

    feed_url = base.replace("https", "wss") + f"/ws/negotiations/{table.negotiation_id}/?feed=board"
    async with connect(
        feed_url, ssl=tls, additional_headers={"cookie": cookie, "origin": base}
    ) as feed:
        assert json.loads(await feed.recv())["type"] == "snapshot"


async def test_a_client_spoofing_x_forwarded_for_through_nginx_is_still_one_address(nginx, people):
    base, tls = nginx
    person = people()
    async with httpx.AsyncClient(base_url=base, verify=tls) as client:
        for n in range(5):
            guess = await client.post(
                "/api/auth/login",
                json={"username": person.username, "password": "guess-guess"},
                headers={"x-forwarded-for": f"203.0.113.{n + 1}"},
            )
            assert guess.status_code == 401
        right = await client.post(
            "/api/auth/login",
            json={"username": person.username, "password": PASSWORD},
            headers={"x-forwarded-for": "203.0.113.99"},
        )
        assert right.status_code == 429, right.text
