"""Settings from the environment (``CARBONPEAK_*``), typed and validated, safe by default.

Read with pydantic-settings: every field of :class:`Settings` has the environment variable
``CARBONPEAK_<FIELD>`` (names are case-insensitive). A value that does not parse or lies
outside its range raises :class:`~carbonpeak.errors.SettingsError` (an ``InputError``)
whose problems name the variable, e.g. ``CARBONPEAK_ENV = 'prod' is not allowed (allowed:
development, test, production; any case)``.

- ``CARBONPEAK_ENV``: ``development`` (default), ``test`` or ``production``, in any case
  and with surrounding blanks; anything else (``prod``, ``staging``) is refused.
- ``CARBONPEAK_SECRET_KEY``: in production it must differ from the shipped default and hold
  at least :data:`MIN_SECRET_LENGTH` characters. It keys the HMAC under which session and
  API-token digests are stored (:func:`carbonpeak.service.access.auth`), so a row written straight
  into the store cannot mint a valid token; changing it signs everyone out. A key derived from
  it keys the audit chain's HMAC and signs audit checkpoints (:mod:`carbonpeak.service.platform.audit`).
- ``CARBONPEAK_AUDIT_CHECKPOINT_DIR`` / ``CARBONPEAK_AUDIT_CHECKPOINT_EVERY``: where the server
  appends a signed checkpoint of the audit chain's head every N events (off when unset).
- ``CARBONPEAK_HSTS_SECONDS``: ``Strict-Transport-Security`` max-age; 0 (default) sends none.
- ``CARBONPEAK_COMPUTE_DEADLINE_SECONDS``: a request's computation off the event loop is
  abandoned after this many seconds (default 60) with a bilingual 503 and ``Retry-After``.
- Demo data: only in development and test (:attr:`Settings.load_demo`), or when an operator
  asks for them explicitly (``carbonpeak run --demo``).
"""

from __future__ import annotations

import enum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from carbonpeak.errors import Problem, SettingsError

__all__ = [
    "DEFAULT_SECRET",
    "ENV_PREFIX",
    "MIN_SECRET_LENGTH",
    "Environment",
    "Settings",
    "SettingsError",
    "get_settings",
]

DEFAULT_SECRET = "carbonpeak-dev-secret-change-me"  # noqa: S105 — refused in production
#: A production secret has at least this many characters (256 bits as URL-safe base64 is 43).
MIN_SECRET_LENGTH = 32
ENV_PREFIX = "CARBONPEAK_"


class Environment(enum.StrEnum):
    """Where the platform runs; only development and test load the demo sector by themselves."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


def _settings_error(exc: ValidationError) -> SettingsError:
    """*exc* as located problems naming the ``CARBONPEAK_*`` variable (never the secret)."""
    problems = []
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ())]
        variable = ENV_PREFIX + (loc[0].upper() if loc else "SETTINGS")
        if e.get("type") == "default_secret":
            variable = ENV_PREFIX + "SECRET_KEY"
        code = str(e.get("type")) if e.get("type") in _OWN_CODES else "settings_invalid"
        value = e.get("input")
        hidden = variable.endswith("SECRET_KEY") or isinstance(value, dict)
        problems.append(
            Problem(
                code,
                column=variable,
                value=None if hidden else value,
                fields={"variable": variable, "detail": e.get("msg", ""), "min_length": MIN_SECRET_LENGTH},
            )
        )
    return SettingsError(problems)


_OWN_CODES = ("settings_bad_env", "default_secret")


class Settings(BaseSettings):
    """Runtime settings; every field has an environment variable ``CARBONPEAK_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, frozen=True, extra="ignore", validate_default=True
    )

    database_url: str = Field("sqlite:///var/carbonpeak.db", min_length=1)
    env: Environment = Environment.DEVELOPMENT
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    host: str = Field("127.0.0.1", min_length=1)
    port: int = Field(8000, ge=1, le=65535)
    #: "auto": Secure cookies when the request came over HTTPS; "true"/"false" to force.
    cookie_secure: Literal["auto", "true", "false"] = "auto"
    session_hours: int = Field(12, ge=1, le=24 * 31)
    #: a web session ends after this many minutes without a request (``session_hours`` stays
    #: the absolute limit)
    session_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    token_days: int = Field(30, ge=1, le=366)
    max_upload_mb: int = Field(20, ge=1, le=1024)
    min_password_length: int = Field(10, ge=8, le=128)
    #: cap on Monte Carlo trajectories per API/page request (the CLI has none)
    mc_max_n: int = Field(20_000, ge=1, le=10_000_000)
    #: which submissions are official (province and city figures): "approved", or "verified"
    #: too (docs/workflow.md, "Official figures")
    official_from: Literal["approved", "verified"] = "approved"
    #: the share of existing capacity a year's official figures must cover not to be
    #: provisional (0–1)
    coverage_threshold: float = Field(0.8, ge=0.0, le=1.0)
    #: a figure this many times off last year's or the row's average is a warning (> 1)
    intake_warn_factor: float = Field(3.0, gt=1.0, le=1000.0)
    #: a folder where the server appends a signed audit checkpoint (``audit-checkpoints.jsonl``)
    #: every ``audit_checkpoint_every`` events; None: only ``carbonpeak audit checkpoint``
    audit_checkpoint_dir: Path | None = None
    audit_checkpoint_every: int = Field(1000, ge=1, le=10_000_000)
    #: ``Strict-Transport-Security: max-age=N; includeSubDomains`` when > 0 (HTTPS deployments;
    #: 0 = none, the development default; docs/operations.md recommends 31536000 in production)
    hsts_seconds: int = Field(0, ge=0, le=2 * 31_536_000)
    #: a computation a request sends off the event loop (a cold province view, Monte Carlo)
    #: is abandoned after this many seconds: the request gets a 503 with ``Retry-After``
    #: (carbonpeak.http.compute)
    compute_deadline_seconds: float = Field(60.0, gt=0.0, le=3600.0)
    #: electricity 等价值 [kgce/kWh] for a computation that sets none (CLI ``--equal-value``,
    #: API ``equal_value``): ``0.3055`` (every year) or ``2022=0.301,2023=0.300``; empty = the
    #: refdata rows only (2020), other years unavailable (docs/methods.md, "Electricity at 等价值")
    equal_value: str = ""

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise _settings_error(exc) from None

    @field_validator("env", mode="before")
    @classmethod
    def _normalise_env(cls, v: object) -> object:
        text = str(v.value if isinstance(v, Environment) else v).strip().lower()
        if text not in {e.value for e in Environment}:
            raise PydanticCustomError(
                "settings_bad_env",
                "'{value}' is not allowed (allowed: development, test, production; any case)",
                {"value": str(v)},
            )
        return text

    @field_validator("cookie_secure", "official_from", mode="before")
    @classmethod
    def _normalise_flag(cls, v: object) -> object:
        return str(v).strip().lower()

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        if self.env is Environment.PRODUCTION and _weak(self.secret_key):
            raise PydanticCustomError(
                "default_secret",
                "production needs CARBONPEAK_SECRET_KEY: not the default, at least {n} characters",
                {"n": MIN_SECRET_LENGTH},
            )
        return self

    def check(self) -> None:
        """Raise :class:`SettingsError` if this (possibly copied) value is not allowed."""
        if self.env is Environment.PRODUCTION and _weak(self.secret_key):
            raise SettingsError(
                [
                    Problem(
                        "default_secret",
                        column=ENV_PREFIX + "SECRET_KEY",
                        fields={"variable": ENV_PREFIX + "SECRET_KEY", "min_length": MIN_SECRET_LENGTH},
                    )
                ]
            )

    @property
    def load_demo(self) -> bool:
        """Whether an empty store gets the synthetic demo sector (development and test only)."""
        return self.env is not Environment.PRODUCTION

    @property
    def secret_bytes(self) -> bytes:
        """The secret key as bytes, for HMAC keys."""
        return self.secret_key.get_secret_value().encode("utf-8")

    @property
    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and ":memory:" not in self.database_url:
            return Path(self.database_url[len(prefix) :])
        return None


def _weak(secret: SecretStr) -> bool:
    value = secret.get_secret_value()
    return value == DEFAULT_SECRET or len(value) < MIN_SECRET_LENGTH


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings from the environment, read once (``get_settings.cache_clear()`` to re-read)."""
    return Settings()
