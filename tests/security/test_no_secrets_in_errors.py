"""No secrets or hashes in error texts: the store's engines hide bound parameters, so an
IntegrityError logged by the server (issue 13: argon2 hashes appeared in the server log)
names the statement, never the values."""

from __future__ import annotations

import traceback

import pytest
from sqlalchemy.exc import IntegrityError

from carbonpeak.service.access.auth import hash_password
from carbonpeak.service.platform import audit
from carbonpeak.store.db import engine_for, sessionmaker_for
from carbonpeak.store.models import User


def test_an_integrity_errors_text_holds_no_password_hash(demo_url: str) -> None:
    assert engine_for(demo_url).hide_parameters
    secret_hash = hash_password("a-private-passphrase-1")
    db = sessionmaker_for(demo_url)()
    db.add(User(username="province", password_hash=secret_hash, role="province", created_at=audit.now_iso()))
    with pytest.raises(IntegrityError) as err:
        db.flush()
    db.rollback()
    db.close()
    text = "".join(traceback.format_exception(err.value))
    assert "app_user" in text  # the statement is still named
    assert secret_hash not in text
    assert "$argon2" not in text
    assert "hidden due to hide_parameters" in str(err.value)
