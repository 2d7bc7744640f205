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
    secure_cookies: bool = False
    # Login throttling: this many failures for one username (or 4x for one address) within the
    # window lock further attempts until the window has passed.
    login_failures_allowed: int = 5
    login_window_seconds: int = 15 * 60
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
        )
