"""Settings, read from the environment in one place and passed in (tests build them directly)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = field(default_factory=lambda: REPO_ROOT / "var")
    database_url: str | None = None
    # The session cookie is Secure on every HTTPS request anyway; this forces it on plain HTTP.
    secure_cookies: bool = False
    # Addresses or networks (e.g. "127.0.0.1", "10.0.0.0/8") of reverse proxies whose
    # X-Forwarded-For and X-Forwarded-Proto are believed. Empty: no proxy header is believed.
    trusted_proxies: tuple[str, ...] = ()
    # Origins besides the platform's own (e.g. "https://union.example") whose pages may send
    # cookie-authenticated changes and open live feeds.
    allowed_origins: tuple[str, ...] = ()
    # Login throttling: after this many failures for one username from one address, that pair
    # waits login_delay_seconds, doubling with each further failure, at most the window; one
    # address failing 4x this many times (any usernames) within the window waits out the window.
    # The right password from elsewhere is never refused: nobody can lock an owner out.
    login_failures_allowed: int = 5
    login_window_seconds: int = 15 * 60
    login_delay_seconds: int = 30
    session_days: int = 14

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            host=env.get("HOST", "127.0.0.1"),
            port=int(env.get("PORT", "8000")),
            data_dir=Path(env.get("NEGOTIATION_DATA_DIR", str(REPO_ROOT / "var"))),
            database_url=env.get("DATABASE_URL") or None,
            secure_cookies=env.get("SECURE_COOKIES", "") in ("1", "true", "yes"),
            trusted_proxies=_list(env.get("TRUSTED_PROXIES", "")),
            allowed_origins=_list(env.get("ALLOWED_ORIGINS", "")),
        )


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())
