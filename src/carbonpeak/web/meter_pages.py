"""The meters page of an enterprise (issue 14): its meters, their latest readings and quality.

Thin: the handler reads the visitor, calls :mod:`carbonpeak.service.metering` (which checks
role and scope) and renders. ``GET /enterprises/{id}/meters?day=YYYY-MM-DD``: every meter with
its location, carrier, multiplier, level, latest reading (Beijing time), the day's consumption,
points received against expected, its findings by rule; the balance groups and the findings of
the day. Without ``day``, the day of the newest reading; the page then refreshes every minute.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from carbonpeak import errors
from carbonpeak.http.deps import Db
from carbonpeak.service.metering import readings
from carbonpeak.service.registry import enterprises
from carbonpeak.web.assignment_pages import beijing_time
from carbonpeak.web.i18n import text
from carbonpeak.web.pages import Who, error_response, page_ctx, render, to_login

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/enterprises/{enterprise_id}/meters", response_class=HTMLResponse, response_model=None)
def meters_page(request: Request, db: Db, visitor: Who, enterprise_id: str, day: str = "") -> Response:
    if not visitor.signed_in:
        return to_login(request)
    not_found = errors.message(
        "not_found", visitor.lang, object=text("ent.object", visitor.lang), key=enterprise_id[:16]
    )
    if not enterprise_id.isascii() or not enterprise_id.isdigit() or len(enterprise_id) > 12:
        return error_response(request, visitor, 404, not_found)
    ctx = page_ctx(request, db, visitor.principal)
    ent = enterprises.get_enterprise(ctx, int(enterprise_id))
    chosen: dt.date | None = None
    if day:
        try:
            chosen = dt.date.fromisoformat(day[:10])
        except ValueError:
            chosen = None
    live = chosen is None
    first = readings.report_day(ctx, ent.id, chosen)
    rep = readings.meter_report(ctx, ent.id, first, 1)
    rows = [
        {
            "s": s,
            "latest": beijing_time(s.latest_ts),
            "pct": f"{100 * s.completeness:.0f} %",
            "short": s.received * 10 < s.expected * 9,
        }
        for s in rep.meters
    ]
    findings = [{"f": f, "time": beijing_time(f.ts)} for f in rep.findings]
    return render(
        request,
        visitor,
        "meters/meters.html",
        ent=ent,
        day=first.isoformat(),
        live=live,
        rows=rows,
        findings=findings,
        balance=rep.balance,
    )
