"""Data shapes crossing the service boundary (``XCreate`` / ``XUpdate`` / ``XPublic``).

They are kept apart from the ORM models so a face never serialises a table row by
accident (a password hash, say). Quantities are already in canonical units here:
capacity in t/a.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from carbonpeak.model import LineStatus, Role

__all__ = [
    "ApiTokenInfo",
    "CityCount",
    "EnterpriseCreate",
    "EnterprisePublic",
    "EnterpriseUpdate",
    "LineCreate",
    "LinePublic",
    "MetalCount",
    "SectorOverview",
    "TemporaryPassword",
    "TokenPublic",
    "UserAccount",
    "UserPublic",
]


#: C0 control characters other than tab, line feed and carriage return: none belongs in a
#: name or code, and NUL cannot be stored in PostgreSQL text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class TextSafeModel(BaseModel):
    """A request body whose text fields may not hold control characters (a 422, located)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            raise ValueError("text holds a control character (such as NUL) / 文本含有控制字符（如 NUL）")
        return value


class _Frozen(TextSafeModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LineCreate(_Frozen):
    code: str = Field(min_length=1, max_length=32)
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    metal: str
    route: str
    capacity_t_per_a: float = Field(ge=0, description="design capacity [t/a]")
    status: LineStatus = LineStatus.EXISTING
    commissioned_year: int | None = Field(default=None, ge=1900, le=2100)
    product: str | None = Field(
        default=None,
        max_length=64,
        description="the product a limit standard grades the line by (a sector/products id, e.g. "
        "zn_hydro_without_residue); empty: the route's default",
    )
    technology: str | None = Field(
        default=None,
        max_length=16,
        description="an aluminium potline's cell technology: CWPB, SWPB, VSS or HSS",
    )


class LinePublic(LineCreate):
    id: int
    metal_name_zh: str = ""
    metal_name_en: str = ""
    route_name_zh: str = ""
    route_name_en: str = ""
    product_name_zh: str = ""
    product_name_en: str = ""


class EnterpriseCreate(_Frozen):
    credit_code: str = Field(min_length=18, max_length=18, description="统一社会信用代码 (GB 32100-2015)")
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    city_code: str = Field(description="GB/T 2260 code of the city/prefecture")
    park_id: str | None = None
    above_designated_size: bool = True
    metals: tuple[str, ...] = ()
    lines: tuple[LineCreate, ...] = ()
    is_demo: bool = False


class EnterpriseUpdate(_Frozen):
    name_zh: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    park_id: str | None = None
    above_designated_size: bool | None = None


class EnterprisePublic(_Frozen):
    id: int
    credit_code: str
    name_zh: str
    name_en: str
    city_code: str
    city_name_zh: str
    city_name_en: str
    park_id: str | None
    park_name_zh: str | None
    park_name_en: str | None
    metals: tuple[str, ...]
    above_designated_size: bool
    is_demo: bool
    #: set when deactivated (a deleted enterprise with history); None: active
    deactivated_at: str | None = None
    capacity_t_per_a: float = Field(description="total capacity of existing lines [t/a]")
    lines: tuple[LinePublic, ...] = ()


class CityCount(_Frozen):
    code: str
    name_zh: str
    name_en: str
    enterprises: int | None = Field(description="None when suppressed (small-cell rule)")
    suppressed: bool = False


class MetalCount(_Frozen):
    code: str
    name_zh: str
    name_en: str
    enterprises: int | None = Field(description="None when suppressed (small-cell rule)")
    lines: int | None
    capacity_t_per_a: float | None
    suppressed: bool = False


class SectorOverview(_Frozen):
    """The sector at a glance: published aggregates (public may see them).

    No figure is built from fewer than ``min_enterprises`` enterprises: such a cell, and
    the cells suppressed with it so that it cannot be recovered by subtraction, are None
    with ``suppressed`` set (see :mod:`carbonpeak.reporting.disclosure`)."""

    enterprises: int | None
    lines: int | None
    #: existing lines' capacity, whole sector [t/a]
    capacity_t_per_a: float | None = None
    cities: int
    by_city: tuple[CityCount, ...]
    by_metal: tuple[MetalCount, ...]
    #: enterprises by (city code, metal code); None: suppressed
    city_metal: tuple[tuple[str, str, int | None], ...]
    demo_data: bool
    min_enterprises: int = 3


class UserPublic(_Frozen):
    id: int
    username: str
    role: Role
    city_code: str | None
    display_name: str
    enterprise_ids: tuple[int, ...]


class TokenPublic(_Frozen):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 — the OAuth2 token type, not a secret
    expires_at: str


class UserAccount(UserPublic):
    """A user with the state of its account (the province's user list)."""

    is_active: bool
    must_change_password: bool
    #: live API tokens and browser sessions
    tokens: int
    sessions: int


class ApiTokenInfo(_Frozen):
    """One API token as its owner or the province sees it: never the token itself."""

    id: int
    user_id: int
    username: str
    name: str
    created_at: str
    expires_at: str
    #: when it last authenticated a request (to the minute); None if never
    last_used_at: str | None


class TemporaryPassword(_Frozen):
    """A one-time password set by a province-initiated reset; shown once, never stored."""

    username: str
    temporary_password: str
    must_change_password: bool = True
