"""Bring a store to a usable state: migrate, load the demo sector where allowed, first account.

Safe by default: the synthetic demo sector (and its published demo logins) goes into an
empty store only when the settings allow it (``CARBONPEAK_ENV`` development or test,
:attr:`~carbonpeak.settings.Settings.load_demo`) or when the operator asks for it
explicitly (``demo=True``, ``carbonpeak run --demo``). A production store starts empty, and
its first province account is made once by :func:`create_first_account`
(``carbonpeak setup``).
"""

from __future__ import annotations

from sqlalchemy import select

from carbonpeak.errors import Conflict
from carbonpeak.model import Role
from carbonpeak.model.schemas import UserPublic
from carbonpeak.service.access import auth
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import SYSTEM, Context, transactional
from carbonpeak.service.platform.demo import load_demo
from carbonpeak.settings import get_settings
from carbonpeak.store.db import is_empty, migrate, sessionmaker_for
from carbonpeak.store.models import User

__all__ = ["create_first_account", "has_province_account", "prepare_store"]


def prepare_store(url: str, *, demo: bool | None = None) -> int:
    """Migrate *url* to the newest schema; load the demo data into an empty store if allowed.

    *demo* None leaves the decision to the settings (development and test: yes; production:
    no); True or False is the operator's explicit choice. Returns the number of demo
    enterprises loaded (0 if none were, or the store already had data).
    """
    migrate(url)
    wanted = get_settings().load_demo if demo is None else demo
    if not wanted or not is_empty(url):
        return 0
    with sessionmaker_for(url)() as db:
        return load_demo(Context(db=db, principal=SYSTEM, request_id="bootstrap"))


def has_province_account(url: str) -> bool:
    """Whether the (migrated) store at *url* has a province account, active or not."""
    with sessionmaker_for(url)() as db:
        found = db.execute(select(User.id).where(User.role == Role.PROVINCE.value).limit(1)).first()
    return found is not None


@transactional
def create_first_account(ctx: Context, username: str, password: str, display_name: str = "") -> UserPublic:
    """Create the first province account of a store — once.

    Refused (:class:`~carbonpeak.errors.Conflict`, ``setup_done``) when any province account
    exists, active or not, so the command cannot be used to take over an installed
    platform. The password policy is the one of every account; the creation is audited as
    ``user.setup``.
    """
    existing = ctx.db.execute(
        select(User.username).where(User.role == Role.PROVINCE.value).order_by(User.id).limit(1)
    ).scalar_one_or_none()
    if existing is not None:
        raise Conflict("setup_done", value=existing)
    system = Context(db=ctx.db, principal=SYSTEM, request_id=ctx.request_id)
    user = auth.add_user(system, username, password, Role.PROVINCE, display_name=display_name)
    audit.record(
        ctx.db, SYSTEM, ctx.request_id, "user.setup", "user", user.id, after={"username": user.username}
    )
    return user
