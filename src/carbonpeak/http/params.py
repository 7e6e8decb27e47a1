"""Bounded request parameters, one definition for every API and page route.

Each type carries its documented range into the OpenAPI document; a value outside it is a
422 (``input_invalid`` with the parameter located) before any work starts — never a
computation over ``year=99999`` or a database error on an id beyond the store's integers.

========================== ===================================================================
type                       range
========================== ===================================================================
:data:`Year` / ``…Query``  :data:`YEAR_MIN` – :data:`YEAR_MAX` (1990–2100: the data's and the
                           projections' span, with room on both sides)
:data:`IdPath` / ``…``     1 – :data:`MAX_ID` (2³¹ − 1: ids are ``INTEGER`` columns, 32-bit
                           on PostgreSQL; SQLite would take 64 bits, PostgreSQL fails beyond)
:data:`TextQuery` / ``…``  free text (a filter, a name, a choice): at most :data:`TEXT_MAX`
                           characters, no control character (PostgreSQL text cannot hold NUL)
========================== ===================================================================
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Form, Path, Query
from pydantic import Field

__all__ = [
    "MAX_ID",
    "TEXT_MAX",
    "TEXT_PATTERN",
    "YEAR_MAX",
    "YEAR_MIN",
    "BodyId",
    "BodyYear",
    "IdForm",
    "IdPath",
    "IdQuery",
    "IdQueryRequired",
    "TextForm",
    "TextParam",
    "TextQuery",
    "Year",
    "YearForm",
    "YearQuery",
]

YEAR_MIN: Final = 1990
YEAR_MAX: Final = 2100
MAX_ID: Final = 2**31 - 1
TEXT_MAX: Final = 1000
#: No C0 control character but tab, line feed and carriage return, and no DEL (the rule of
#: :class:`~carbonpeak.model.schemas.TextSafeModel` for bodies).
TEXT_PATTERN: Final = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
_TEXT = f"text, at most {TEXT_MAX} characters, no control characters"

_YEAR = f"a calendar year, {YEAR_MIN}–{YEAR_MAX}"
_ID = f"an id, 1–{MAX_ID}"

#: A required or defaulted ``year`` query parameter (``year: Year = 2025``).
Year = Annotated[int, Query(ge=YEAR_MIN, le=YEAR_MAX, description=_YEAR)]
#: An optional ``year`` query parameter (``year: YearQuery = None``).
YearQuery = Annotated[int | None, Query(ge=YEAR_MIN, le=YEAR_MAX, description=_YEAR)]
#: An optional ``year`` form field of a multipart or form request.
YearForm = Annotated[int | None, Form(ge=YEAR_MIN, le=YEAR_MAX, description=_YEAR)]
#: An integer id in the path (``/enterprises/{enterprise_id}``).
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description=_ID)]
#: An optional integer id in the query string.
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description=_ID)]
#: An optional integer id in a form.
IdForm = Annotated[int | None, Form(ge=1, le=MAX_ID, description=_ID)]
#: A required integer id in the query string.
IdQueryRequired = Annotated[int, Query(ge=1, le=MAX_ID, description=_ID)]
#: An integer id field of a JSON body model.
BodyId = Annotated[int, Field(ge=1, le=MAX_ID, description=_ID)]
#: A year field of a JSON body model.
BodyYear = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX, description=_YEAR)]
#: An optional free-text query parameter (``city: TextQuery = None``).
TextQuery = Annotated[str | None, Query(max_length=TEXT_MAX, pattern=TEXT_PATTERN, description=_TEXT)]
#: A free-text query parameter with a default (``format: TextParam = "xlsx"``).
TextParam = Annotated[str, Query(max_length=TEXT_MAX, pattern=TEXT_PATTERN, description=_TEXT)]
#: A free-text form field (``note: TextForm = ""``).
TextForm = Annotated[str, Form(max_length=TEXT_MAX, pattern=TEXT_PATTERN, description=_TEXT)]
