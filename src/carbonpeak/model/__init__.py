"""Domain types: enums and frozen dataclasses shared by every layer.

Nothing here touches storage or the network; the engines, the store and the faces all
speak these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from carbonpeak import catalogue

__all__ = [
    "LINE_STATUS_ALIASES",
    "PUBLIC",
    "Action",
    "LineStatus",
    "Principal",
    "Role",
]


class Role(StrEnum):
    """Who a user is in the programme; decides what it may see and do."""

    PROVINCE = "province"  # provincial authorities: everything
    CITY = "city"  # a city bureau: the enterprises of its city
    ENTERPRISE = "enterprise"  # an enterprise's energy/carbon manager: its own enterprises
    VERIFIER = "verifier"  # a third-party verifier: what it is assigned to
    PUBLIC = "public"  # anyone: published aggregates only


class Action(StrEnum):
    """What a principal wants to do to an object (the ``action`` of ``restrict``)."""

    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"


class LineStatus(StrEnum):
    """Status of a production line in the project register (plan task 4)."""

    EXISTING = "existing"  # 存量 / 在产
    UNDER_CONSTRUCTION = "under_construction"  # 在建
    PLANNED = "planned"  # 拟建

    @property
    def name_zh(self) -> str:
        return catalogue.text(f"line_status.{self.value}", "zh")


#: Spellings accepted for line status in forms, mapped to the enum.
LINE_STATUS_ALIASES: dict[str, LineStatus] = {
    **{s.value: s for s in LineStatus},
    "在产": LineStatus.EXISTING,
    "存量": LineStatus.EXISTING,
    "现有": LineStatus.EXISTING,
    "在建": LineStatus.UNDER_CONSTRUCTION,
    "拟建": LineStatus.PLANNED,
}


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user, its role and the scope that role is bound to.

    ``enterprise_ids`` are the enterprises an enterprise user belongs to; a verifier's
    scope (its assignments) is resolved in the query, not carried here.
    """

    username: str
    role: Role
    user_id: int | None = None
    city_code: str | None = None
    enterprise_ids: frozenset[int] = field(default_factory=frozenset)
    display_name: str = ""
    #: the account's password was reset by the province: until the user picks a new one, the
    #: faces answer only the change-password page and route (403 elsewhere)
    must_change_password: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_public(self) -> bool:
        return self.role is Role.PUBLIC


#: The anonymous principal: sees published aggregates only.
PUBLIC = Principal(username="anonymous", role=Role.PUBLIC, display_name="公众")
