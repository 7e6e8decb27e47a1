"""API — the metering system and meter readings (issue 14).

Thin: each handler parses, calls :mod:`carbonpeak.service.metering` (which checks role and
scope and writes the audit trail), and returns its typed result.

=============================================== ==============================================
route                                           who
=============================================== ==============================================
``GET /meters``                                 every role but public, meters in scope
``POST /meters/import``                         province, city (its city), enterprise (its own);
                                                an enterprise outside scope is unknown (422)
``POST /meters/readings``                       the same; a batch of at most 50 000 readings,
                                                all-or-nothing, one audit event per batch
``GET /enterprises/{id}/meters/report``         every role but public, in scope (other → 404)
=============================================== ==============================================
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile
from pydantic import Field

from carbonpeak.http.deps import Ctx
from carbonpeak.http.files import read_upload
from carbonpeak.http.params import IdPath, IdQuery
from carbonpeak.model.schemas import TextSafeModel
from carbonpeak.service.metering import meters, readings
from carbonpeak.service.metering.meters import MeterRow
from carbonpeak.service.metering.readings import IngestResult, MeterReport
from carbonpeak.service.schemas.common import error_responses

__all__ = ["MAX_BATCH", "router"]

router = APIRouter(prefix="/api/v1", tags=["meters"], responses=error_responses())

#: the most readings one HTTP batch may hold
MAX_BATCH = 50_000


class ReadingIn(TextSafeModel):
    """One reading: the enterprise's credit code, the meter's code, the time (ISO 8601 — Beijing
    time without an offset — or UTC epoch seconds), the register's value [meter unit]."""

    enterprise: str = Field(min_length=1, max_length=18)
    meter: str = Field(min_length=1, max_length=64)
    ts: int | str = Field(description="ISO 8601 or UTC epoch seconds")
    value: float = Field(
        allow_inf_nan=False, description="the register's value [meter unit, before the multiplier]"
    )
    quality: Literal["good", "estimated", "manual"] = "good"


class ReadingBatch(TextSafeModel):
    """A batch of readings (at most 50 000)."""

    readings: list[ReadingIn] = Field(min_length=1, max_length=MAX_BATCH)


@router.get("/meters", response_model=list[MeterRow])
def list_meters(ctx: Ctx, enterprise_id: IdQuery = None) -> list[MeterRow]:
    """The meters in scope (of one enterprise when given)."""
    return meters.list_meters(ctx, enterprise_id)


@router.post("/meters/import", status_code=201, response_model=list[MeterRow])
async def import_meters(
    request: Request, ctx: Ctx, meters_file: Annotated[UploadFile, File()]
) -> list[MeterRow]:
    """Register meters from a CSV/XLSX meter register, all-or-nothing (located problems: 422)."""
    data = await read_upload(request, meters_file)
    table = meters.read_register(data, meters_file.filename or "meters.csv")
    return meters.register_meters(ctx, table)


@router.post("/meters/readings", response_model=IngestResult)
def post_readings(ctx: Ctx, body: ReadingBatch) -> IngestResult:
    """Store a batch of readings, idempotent on (meter, ts) (the latest arrival kept)."""
    return readings.ingest_records(ctx, [r.model_dump() for r in body.readings], "http")


@router.get("/enterprises/{enterprise_id}/meters/report", response_model=MeterReport)
def meter_report(
    ctx: Ctx,
    enterprise_id: IdPath,
    day: Annotated[
        dt.date | None, Query(description="first day, Beijing time (default: the newest reading's)")
    ] = None,
    days: Annotated[int, Query(ge=1, le=62)] = 1,
) -> MeterReport:
    """An enterprise's meters over local days: latest reading, consumption, completeness,
    findings by rule, and the balance groups."""
    return readings.meter_report(ctx, enterprise_id, readings.report_day(ctx, enterprise_id, day), days)
