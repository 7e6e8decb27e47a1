"""The carbonpeak exception tree and its bilingual message catalogue.

Every error the platform raises on purpose is a :class:`CarbonpeakError`. Each
subclass also inherits the builtin a caller would expect, so ``except ValueError``
still catches bad input::

    CarbonpeakError(Exception)                      HTTP
    ├── InputError(ValueError)                       422  one or more located Problems
    │   ├── UnitError                                422  a unit that does not parse / wrong dimension
    │   └── SettingsError                            —    a CARBONPEAK_* variable refused at start-up
    ├── RefdataError(LookupError)                    500  reference data missing or malformed
    ├── NotFound(LookupError)                        404  also for objects outside the caller's scope
    ├── Conflict                                     409  e.g. a duplicate credit code
    ├── AuthenticationFailed                         401  no or bad credentials
    ├── PermissionDenied(PermissionError)            403  authenticated, but the role may not
    ├── TooManyAttempts                              429  sign-in locked after repeated failures
    ├── PayloadTooLarge                              413  an upload over the size limit
    ├── ComputeAbandoned                             503  a computation past its deadline or
    │                                                     whose client left (Retry-After)
    └── IntegrityViolation                           500  the audit chain does not verify

Messages come from one catalogue keyed by ``code`` (:data:`MESSAGES`, loaded from
``catalogue/errors.toml`` by :mod:`carbonpeak.catalogue`), in Chinese and English,
formatted with the error's structured fields. Importers collect every
:class:`Problem` before raising one :class:`InputError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from carbonpeak import catalogue

__all__ = [
    "MESSAGES",
    "OBJECT_NAMES",
    "AuthenticationFailed",
    "CarbonpeakError",
    "ComputeAbandoned",
    "Conflict",
    "InputError",
    "IntegrityViolation",
    "NotFound",
    "PayloadTooLarge",
    "PermissionDenied",
    "Problem",
    "RefdataError",
    "SettingsError",
    "TooManyAttempts",
    "UnitError",
    "message",
]

#: code -> (Chinese template, English template). Templates use ``str.format`` fields.
#: New messages go into src/carbonpeak/catalogue/errors.toml (one line per code), not here.
MESSAGES: dict[str, tuple[str, str]] = catalogue.pairs("errors")

#: Names of the objects messages speak of (``object=`` field), in zh and en.
#: New names go into src/carbonpeak/catalogue/objects.toml.
OBJECT_NAMES: dict[str, tuple[str, str]] = catalogue.pairs("objects")


def message(code: str, lang: str = "zh", **fields: Any) -> str:
    """Format the catalogue message *code* in *lang* (``"zh"`` or ``"en"``).

    Missing fields are shown as ``{name}`` rather than raising, so a message can
    never hide the error it reports.
    """
    zh, en = MESSAGES.get(code, ("{code}", "{code}"))
    template = en if lang == "en" else zh
    obj = fields.get("object")
    if isinstance(obj, str) and obj in OBJECT_NAMES:
        fields = {**fields, "object": catalogue.loc(OBJECT_NAMES[obj], lang)}
    return template.format_map(_Lenient({"code": code, **fields}))


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Problem:
    """One located input problem: where (file, sheet, row, column), what value, which rule."""

    code: str
    column: str | None = None
    value: Any = None
    row: int | None = None
    file: str | None = None
    sheet: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message_zh(self) -> str:
        return message(self.code, "zh", **self._fmt())

    @property
    def message_en(self) -> str:
        return message(self.code, "en", **self._fmt())

    def _fmt(self) -> dict[str, Any]:
        return {"column": self.column, "value": self.value, **self.fields}

    def location(self) -> str:
        parts = [
            f"{label}={val}"
            for label, val in (
                ("file", self.file),
                ("sheet", self.sheet),
                ("row", self.row),
                ("column", self.column),
            )
            if val is not None
        ]
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": None if self.value is None else str(self.value),
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


class CarbonpeakError(Exception):
    """Base of every deliberate carbonpeak error; carries a catalogue code and fields."""

    code = "internal"
    http_status = 500

    def __init__(self, code: str | None = None, **fields: Any) -> None:
        self.code = code or type(self).code
        self.fields = fields
        super().__init__(self.message_en)

    @property
    def message_zh(self) -> str:
        return message(self.code, "zh", **self.fields)

    @property
    def message_en(self) -> str:
        return message(self.code, "en", **self.fields)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message_zh": self.message_zh, "message_en": self.message_en}


class InputError(CarbonpeakError, ValueError):
    """Bad input, with every located :class:`Problem` found (never only the first)."""

    code = "input_invalid"
    http_status = 422

    def __init__(
        self, problems: Iterable[Problem] | None = None, code: str | None = None, **fields: Any
    ) -> None:
        self.problems: list[Problem] = list(problems or [])
        if code is None and len(self.problems) == 1:
            only = self.problems[0]
            code = only.code
            fields = {**only._fmt(), **fields}
        fields.setdefault("count", len(self.problems))
        super().__init__(code, **fields)

    @property
    def message_en(self) -> str:
        base = message(self.code, "en", **self.fields)
        return "; ".join([base] + [f"[{p.location()}] {p.message_en}" for p in self.problems[:20]])

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "problems": [p.as_dict() for p in self.problems]}


class UnitError(InputError):
    """A unit that does not parse, or parses to the wrong dimension."""

    code = "unknown_unit"


class SettingsError(InputError):
    """A ``CARBONPEAK_*`` environment variable that does not parse or is not allowed.

    Each :class:`Problem` names the variable (``column``) and, except for the secret key,
    the value given. Raised when the settings are read (start-up), never by a request.
    """

    code = "settings_invalid"


class RefdataError(CarbonpeakError, LookupError):
    """Reference data missing, malformed, or citing an unregistered source."""

    code = "refdata_schema"


class NotFound(CarbonpeakError, LookupError):
    """The object does not exist, or lies outside the caller's scope (never told apart)."""

    code = "not_found"
    http_status = 404


class Conflict(CarbonpeakError):
    """The change collides with stored state (a duplicate key)."""

    code = "exists"
    http_status = 409


class AuthenticationFailed(CarbonpeakError):
    """No credentials, or wrong ones."""

    code = "auth_failed"
    http_status = 401


class PermissionDenied(CarbonpeakError, PermissionError):
    """The caller is known but its role may not perform the action."""

    code = "permission_denied"
    http_status = 403


class TooManyAttempts(CarbonpeakError):
    """Sign-in refused: too many failures in a row for this user name (``minutes`` left)."""

    code = "auth_locked"
    http_status = 429


class PayloadTooLarge(CarbonpeakError):
    """An upload over the configured size limit."""

    code = "payload_too_large"
    http_status = 413


class ComputeAbandoned(CarbonpeakError):
    """A computation stopped before its end: past its deadline (``compute_deadline``, with
    ``seconds`` and ``retry_after``) or its client went away (``compute_abandoned``)."""

    code = "compute_deadline"
    http_status = 503


class IntegrityViolation(CarbonpeakError):
    """The append-only audit chain does not verify."""

    code = "audit_broken"
