"""Settings from the environment (``CARBONPEAK_*``), with safe defaults for a laptop.

A production deployment (``CARBONPEAK_ENV=production``) refuses to start with the
default secret key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from carbonpeak.errors import CarbonpeakError

__all__ = ["DEFAULT_SECRET", "Settings", "get_settings"]

DEFAULT_SECRET = "carbonpeak-dev-secret-change-me"  # noqa: S105 — refused in production


@dataclass(frozen=True)
class Settings:
    """Runtime settings; every field has an environment variable ``CARBONPEAK_<NAME>``."""

    database_url: str = "sqlite:///var/carbonpeak.db"
    env: str = "development"
    secret_key: str = DEFAULT_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    #: "auto": Secure cookies when the request came over HTTPS; "true"/"false" to force.
    cookie_secure: str = "auto"
    session_hours: int = 12
    token_days: int = 30
    max_upload_mb: int = 20
    min_password_length: int = 10
    #: cap on Monte Carlo trajectories per API/page request (the CLI has none)
    mc_max_n: int = 20_000

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        s = cls(
            database_url=env.get("CARBONPEAK_DATABASE_URL", cls.database_url),
            env=env.get("CARBONPEAK_ENV", cls.env),
            secret_key=env.get("CARBONPEAK_SECRET_KEY", cls.secret_key),
            host=env.get("CARBONPEAK_HOST", cls.host),
            port=int(env.get("CARBONPEAK_PORT", cls.port)),
            cookie_secure=env.get("CARBONPEAK_COOKIE_SECURE", cls.cookie_secure),
            session_hours=int(env.get("CARBONPEAK_SESSION_HOURS", cls.session_hours)),
            token_days=int(env.get("CARBONPEAK_TOKEN_DAYS", cls.token_days)),
            max_upload_mb=int(env.get("CARBONPEAK_MAX_UPLOAD_MB", cls.max_upload_mb)),
            min_password_length=int(env.get("CARBONPEAK_MIN_PASSWORD_LENGTH", cls.min_password_length)),
            mc_max_n=max(1, int(env.get("CARBONPEAK_MC_MAX_N", cls.mc_max_n))),
        )
        s.check()
        return s

    def check(self) -> None:
        if self.env == "production" and self.secret_key == DEFAULT_SECRET:
            raise CarbonpeakError("default_secret")

    @property
    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and ":memory:" not in self.database_url:
            return Path(self.database_url[len(prefix) :])
        return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
