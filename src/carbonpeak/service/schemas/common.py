"""Shared pieces of the API's results: the base class, the error body, coverage, totals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CSV_MEDIA",
    "PDF_MEDIA",
    "XLSX_MEDIA",
    "CoveragePublic",
    "ErrorDetail",
    "ErrorPublic",
    "ProblemPublic",
    "Result",
    "Scalar",
    "TotalsPublic",
    "error_responses",
    "file_response",
]


#: A cell of a reference table or a factor's value.
Scalar = str | int | float | bool | dt.date | None


def _closed(schema: dict[str, Any]) -> None:
    schema["additionalProperties"] = False


class Result(BaseModel):
    """Base of every result schema.

    The document is closed (``additionalProperties: false``: the contract test fails on a
    key that is not declared), the server lenient (an undeclared key passes through, so a
    new field never turns an answer into a server error before its schema is written).
    """

    model_config = ConfigDict(extra="allow", json_schema_extra=_closed)


class ProblemPublic(Result):
    """One located problem (or warning) of an input: file, sheet, row, column, value."""

    code: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    message_zh: str
    message_en: str


class ErrorDetail(BaseModel):
    """The error: its catalogue code, both languages, the request id, located problems."""

    model_config = ConfigDict(extra="allow")

    code: str
    message_zh: str
    message_en: str
    request_id: str
    problems: list[ProblemPublic] | None = None


class ErrorPublic(BaseModel):
    """Every error answer under ``/api/`` (:mod:`carbonpeak.http.errors`)."""

    error: ErrorDetail


def error_responses() -> dict[int | str, dict[str, Any]]:
    """The error answers every API route may give, for a router's ``responses=``."""
    return {
        status: {"model": ErrorPublic, "description": what}
        for status, what in (
            (401, "not signed in, or a bad token"),
            (403, "the role may not do this"),
            (404, "not found, or outside the caller's scope"),
            (409, "a duplicate, or a move from the wrong state"),
            (413, "the upload or body is over the size limit"),
            (422, "invalid input: every problem located"),
        )
    }


def file_response(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that answers a file download of *media_types*."""
    return {
        200: {
            "description": "a file download (Content-Disposition: attachment)",
            "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in media_types},
        }
    }


#: Media types of the downloads (``responses=file_response(XLSX_MEDIA, CSV_MEDIA)``).
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA = "text/csv"
PDF_MEDIA = "application/pdf"


class CoveragePublic(Result):
    """What an aggregate of *year* rests on (:class:`carbonpeak.service.inventories.official.Coverage`)."""

    year: int
    enterprises: int = Field(description="enterprises in scope")
    reported: int = Field(description="with a submission past draft, or an official figure")
    official: int = Field(description="with an official figure")
    capacity_t_per_a: float | None = Field(description="existing capacity in scope [t/a]")
    official_capacity_t_per_a: float | None = Field(description="capacity with an official figure [t/a]")
    capacity_share: float | None = Field(description="official / all capacity (null: none registered)")
    threshold: float | None
    provisional: bool
    official_from: str = Field(description="approved, or verified")
    label_zh: str
    label_en: str


class TotalsPublic(Result):
    """Summed figures of an inventory (or one part of it) [t, tce]."""

    co2_t: float | None = None
    co2_market_t: float | None = None
    cf4_t: float | None = None
    c2f6_t: float | None = None
    co2e_t: float | None = None
    co2e_market_t: float | None = None
    energy_tce: float | None = None
    energy_tce_equal_value: float | None = None
    direct_co2e_t: float | None = None
    by_category: dict[str, float | None] | None = Field(default=None, description="CO2e by category [t]")
