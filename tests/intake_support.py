"""Helpers for the intake tests: demo principals, filling a template, dumping a store."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.io.template import FIRST_DATA_ROW, SHEET_DATA, SHEET_INFO
from carbonpeak.model import Principal
from carbonpeak.service.access import auth
from carbonpeak.service.platform.context import Context
from carbonpeak.store.db import engine_for
from carbonpeak.store.models import Enterprise, User

PBZN = "91430400XU6TWF13XG"  # Hengyang, park shuikoushan (assigned to the demo verifier)
LOUDI_SB = "91431300PF5LKFBQ3D"  # Loudi (ent-loudi-sb's own)

Row = tuple[str, str, str, Sequence[Any]]


def principal(db: Session, username: str) -> Principal:
    user = db.execute(select(User).where(User.username == username)).scalar_one()
    return auth.principal_for(db, user)


def ctx_for(db: Session, username: str) -> Context:
    return Context(db=db, principal=principal(db, username), request_id=f"test-{username}")


def enterprise_id(db: Session, credit_code: str) -> int:
    return int(db.execute(select(Enterprise.id).where(Enterprise.credit_code == credit_code)).scalar_one())


def steady(base: float) -> list[float]:
    """Twelve plausible monthly values around *base* (within ±6 %)."""
    return [round(base * (1 + 0.01 * ((m * 7) % 13 - 6)), 4) for m in range(1, 13)]


#: A plausible year of a Pb/Zn smelter's figures for lines L01/L02 (no warnings).
GOOD_ROWS: list[Row] = [
    ("L01", "烟煤", "t", steady(800.0)),
    ("L01", "天然气", "万Nm³", steady(23.0)),
    ("L01", "购入电力", "万kWh", steady(130.0)),
    ("L02", "烟煤", "t", steady(4600.0)),
    ("L02", "产品产量", "t", steady(13000.0)),
    ("", "购入热力", "GJ", steady(500.0)),
]


def fill(template: bytes, rows: Sequence[Row], *, info: dict[str, Any] | None = None) -> bytes:
    """The template with its data rows replaced by *rows* (line, item, unit, 12 months);
    *info* sets info-sheet values by label (e.g. ``{"填报年份": 2031}``)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(template))
    ws = wb[SHEET_DATA]
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        for c in range(1, 16):
            ws.cell(r, c).value = None
    for i, (line, item, unit, months) in enumerate(rows):
        r = FIRST_DATA_ROW + i
        ws.cell(r, 1).value = line or None
        ws.cell(r, 2).value = item or None
        ws.cell(r, 3).value = unit or None
        for m, v in enumerate(months):
            ws.cell(r, 4 + m).value = v
    if info:
        wsi = wb[SHEET_INFO]
        for row in wsi.iter_rows(min_row=2):
            if row[0].value in info:
                row[2].value = info[row[0].value]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


#: Sign-in bookkeeping that any authenticated request moves (at most once a minute), whatever
#: the request did: left out of :func:`dump_store`.
TOUCHED_BY_EVERY_REQUEST = {("api_token", "last_used_at"), ("web_session", "last_seen_at")}


def dump_store(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in primary-key order (through reflection), for before/after checks
    (without :data:`TOUCHED_BY_EVERY_REQUEST`)."""
    eng = engine_for(url)
    meta = sa.MetaData()
    meta.reflect(bind=eng)
    out: dict[str, list[tuple[Any, ...]]] = {}
    with eng.connect() as conn:
        for name, table in sorted(meta.tables.items()):
            order = list(table.primary_key.columns) or list(table.columns)
            cols = [c for c in table.columns if (name, c.name) not in TOUCHED_BY_EVERY_REQUEST]
            out[name] = [tuple(r) for r in conn.execute(sa.select(*cols).order_by(*order))]
    return out
