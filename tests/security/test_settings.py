"""Settings are typed and validated; production refuses weak secrets; the secret keys tokens.

Issue 13: ``CARBONPEAK_ENV=Production`` or ``prod`` started with the default secret (the
check was case-sensitive) and the secret key was used nowhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.errors import CarbonpeakError, SettingsError
from carbonpeak.settings import DEFAULT_SECRET, MIN_SECRET_LENGTH, Environment, Settings, get_settings
from carbonpeak.store.db import engine_for
from carbonpeak.store.models import ApiToken
from tests.conftest import DEMO_PASSWORDS

GOOD_SECRET = "k" * MIN_SECRET_LENGTH


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """The environment, with the settings cache cleared before and after."""
    for var in ("CARBONPEAK_ENV", "CARBONPEAK_SECRET_KEY"):
        monkeypatch.delenv(var, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.parametrize("given", ["production", "Production", " PRODUCTION ", "pRoDuCtIoN\n"])
def test_the_environment_name_is_normalised(given: str) -> None:
    s = Settings(env=given, secret_key=GOOD_SECRET)
    assert s.env is Environment.PRODUCTION
    assert s.load_demo is False


@pytest.mark.parametrize("given", ["prod", "staging", "", "productionx"])
def test_an_unknown_environment_is_refused_naming_the_variable_and_the_choices(
    fresh_settings: pytest.MonkeyPatch, given: str
) -> None:
    fresh_settings.setenv("CARBONPEAK_ENV", given)
    with pytest.raises(SettingsError) as err:
        get_settings()
    assert err.value.code == "settings_bad_env"
    assert [p.column for p in err.value.problems] == ["CARBONPEAK_ENV"]
    for text in (err.value.message_en, err.value.message_zh):
        assert "CARBONPEAK_ENV" in text
        assert "development" in text and "test" in text and "production" in text


@pytest.mark.parametrize("env", ["production", "Production", "PRODUCTION"])
@pytest.mark.parametrize("secret", [None, DEFAULT_SECRET, "s" * (MIN_SECRET_LENGTH - 1)])
def test_production_refuses_the_default_or_a_short_secret(
    fresh_settings: pytest.MonkeyPatch, env: str, secret: str | None
) -> None:
    fresh_settings.setenv("CARBONPEAK_ENV", env)
    if secret is not None:
        fresh_settings.setenv("CARBONPEAK_SECRET_KEY", secret)
    with pytest.raises(CarbonpeakError) as err:
        get_settings()
    assert err.value.code == "default_secret"
    assert "CARBONPEAK_SECRET_KEY" in err.value.message_en
    assert "CARBONPEAK_SECRET_KEY" in err.value.message_zh
    if secret is not None:
        assert secret not in err.value.message_en  # the secret is never echoed


def test_production_starts_with_a_long_secret(fresh_settings: pytest.MonkeyPatch) -> None:
    fresh_settings.setenv("CARBONPEAK_ENV", "Production")
    fresh_settings.setenv("CARBONPEAK_SECRET_KEY", GOOD_SECRET)
    s = get_settings()
    assert s.env is Environment.PRODUCTION
    assert s.secret_key.get_secret_value() == GOOD_SECRET
    assert GOOD_SECRET not in repr(s)


@pytest.mark.parametrize("env", ["development", "test", "Development", "TEST"])
def test_development_and_test_allow_the_default_secret_and_load_the_demo(env: str) -> None:
    s = Settings(env=env)
    assert s.load_demo is True


@pytest.mark.parametrize(
    ("variable", "given", "field", "expected"),
    [
        ("CARBONPEAK_DATABASE_URL", "sqlite:///x.db", "database_url", "sqlite:///x.db"),
        ("CARBONPEAK_HOST", "0.0.0.0", "host", "0.0.0.0"),  # noqa: S104 — a value, not a bind
        ("CARBONPEAK_PORT", "8080", "port", 8080),
        ("CARBONPEAK_COOKIE_SECURE", " TRUE ", "cookie_secure", "true"),
        ("CARBONPEAK_SESSION_HOURS", "8", "session_hours", 8),
        ("CARBONPEAK_TOKEN_DAYS", "7", "token_days", 7),
        ("CARBONPEAK_MAX_UPLOAD_MB", "5", "max_upload_mb", 5),
        ("CARBONPEAK_MIN_PASSWORD_LENGTH", "12", "min_password_length", 12),
        ("CARBONPEAK_MC_MAX_N", "500", "mc_max_n", 500),
    ],
)
def test_every_field_keeps_its_variable(
    fresh_settings: pytest.MonkeyPatch, variable: str, given: str, field: str, expected: object
) -> None:
    fresh_settings.setenv(variable, given)
    assert getattr(get_settings(), field) == expected


@pytest.mark.parametrize(
    ("variable", "given"),
    [
        ("CARBONPEAK_PORT", "eighty"),
        ("CARBONPEAK_PORT", "70000"),
        ("CARBONPEAK_COOKIE_SECURE", "sometimes"),
        ("CARBONPEAK_SESSION_HOURS", "0"),
        ("CARBONPEAK_MAX_UPLOAD_MB", "-1"),
        ("CARBONPEAK_MIN_PASSWORD_LENGTH", "4"),
        ("CARBONPEAK_MC_MAX_N", "0"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(
    fresh_settings: pytest.MonkeyPatch, variable: str, given: str
) -> None:
    fresh_settings.setenv(variable, given)
    with pytest.raises(SettingsError) as err:
        get_settings()
    assert err.value.code == "settings_invalid"
    assert [p.column for p in err.value.problems] == [variable]
    assert variable in err.value.message_en and variable in err.value.message_zh


def test_token_digests_are_keyed_with_the_secret(
    fresh_settings: pytest.MonkeyPatch, settings: Settings
) -> None:
    """A token row written straight into the store (plain SHA-256) is not accepted, and a
    new secret key invalidates every token issued under the old one."""
    fresh_settings.setenv("CARBONPEAK_SECRET_KEY", "first-" + GOOD_SECRET)
    get_settings.cache_clear()
    with TestClient(create_app(settings)) as c:
        login = {"username": "city-hengyang", "password": DEMO_PASSWORDS["city-hengyang"]}
        r = c.post("/api/v1/auth/token", data=login)
        raw = r.json()["access_token"]
        auth = {"Authorization": f"Bearer {raw}"}
        assert c.get("/api/v1/me", headers=auth).status_code == 200
        with engine_for(settings.database_url).begin() as conn:
            stored = conn.execute(sa.select(ApiToken.token_hash)).scalars().all()
            assert hashlib.sha256(raw.encode()).hexdigest() not in stored
            # plant a token as someone with write access to the store but not the key would
            planted = "cp_planted-by-an-insider"
            row = conn.execute(sa.select(ApiToken.user_id, ApiToken.created_at, ApiToken.expires_at)).one()
            conn.execute(
                sa.insert(ApiToken).values(
                    user_id=row.user_id,
                    token_hash=hashlib.sha256(planted.encode()).hexdigest(),
                    created_at=row.created_at,
                    expires_at=row.expires_at,
                    name="planted",
                )
            )
        assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {planted}"}).status_code == 401
        fresh_settings.setenv("CARBONPEAK_SECRET_KEY", "second-" + GOOD_SECRET)
        get_settings.cache_clear()
        assert c.get("/api/v1/me", headers=auth).status_code == 401
