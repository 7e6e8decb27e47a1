"""Figures have a physical upper bound; the reporting template never carries a live formula.

Issue 13: figures had no upper bound (1e300 accepted after acknowledging the warnings), and
the reporting template turned an enterprise name or line code such as ``=HYPERLINK(…)``
into a live formula for the official who downloads it.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from carbonpeak.io.activity import MAX_QUANTITY
from carbonpeak.io.template import SHEET_DATA, SHEET_INFO
from carbonpeak.settings import Settings
from carbonpeak.store.db import engine_for
from carbonpeak.store.models import Enterprise, ProductionLine
from tests.conftest import api_token
from tests.intake_support import GOOD_ROWS, PBZN, dump_store, fill

EVIL = '=HYPERLINK("http://x.example/","y")'
EVIL_CODE = '=HYPERLINK("//x.cn","y")'  # line codes hold 32 characters


def _template(client: TestClient, headers: dict[str, str], year: int = 2030) -> bytes:
    eid = client.get("/api/v1/enterprises", params={"q": PBZN}, headers=headers).json()[0]["id"]
    r = client.get("/api/v1/intake/template", params={"enterprise_id": eid, "year": year}, headers=headers)
    assert r.status_code == 200, r.text
    return r.content


@pytest.mark.parametrize("figure", [1e300, 2 * MAX_QUANTITY, -1e300, "1e300", "1.7e308"])
def test_a_figure_beyond_the_physical_bound_is_a_located_422(
    client: TestClient, settings: Settings, figure: Any
) -> None:
    headers = api_token(client, "ent-hengyang-pbzn")
    line, item, unit, months = GOOD_ROWS[0]
    bad_months = [figure, *months[1:]]
    data = fill(_template(client, headers), [(line, item, unit, bad_months), *GOOD_ROWS[1:]])
    before = dump_store(settings.database_url)
    r = client.post(
        "/api/v1/intake/import",
        files={"file": ("filled.xlsx", data, "application/octet-stream")},
        data={"acknowledge_warnings": "true"},
        headers=headers,
    )
    assert r.status_code == 422, r.text
    probs = r.json()["error"]["problems"]
    codes = {p["code"] for p in probs}
    expected = "intake_negative" if str(figure).startswith("-") else "figure_too_large"
    assert expected in codes, probs
    p = next(p for p in probs if p["code"] == expected)
    assert (p["sheet"], p["row"]) == (SHEET_DATA, 3)
    if expected == "figure_too_large":
        assert "1e+15 t" in p["message_en"] and "1e+15 t" in p["message_zh"]
    assert dump_store(settings.database_url) == before


def test_an_activity_file_figure_beyond_the_bound_is_a_422(client: TestClient) -> None:
    csv = f"enterprise,period,item,quantity,unit\n{PBZN},2024,bituminous_coal,1e300,t\n".encode()
    r = client.post(
        "/api/v1/inventory/compute",
        files={"activity_file": ("a.csv", csv, "text/csv")},
        headers=api_token(client, "province"),
    )
    assert r.status_code == 422, r.text
    p = r.json()["error"]["problems"][0]
    assert (p["code"], p["row"], p["column"]) == ("figure_too_large", 2, "quantity")


def test_the_largest_allowed_figure_is_not_refused_for_its_size(client: TestClient) -> None:
    csv = f"enterprise,period,item,quantity,unit\n{PBZN},2024,bituminous_coal,{MAX_QUANTITY},t\n".encode()
    r = client.post(
        "/api/v1/inventory/compute",
        files={"activity_file": ("a.csv", csv, "text/csv")},
        headers=api_token(client, "province"),
    )
    assert r.status_code == 200, r.text


def test_the_template_keeps_formula_like_names_and_codes_inert(
    client: TestClient, settings: Settings
) -> None:
    with engine_for(settings.database_url).begin() as conn:
        eid = conn.execute(sa.select(Enterprise.id).where(Enterprise.credit_code == PBZN)).scalar_one()
        conn.execute(sa.update(Enterprise).where(Enterprise.id == eid).values(name_zh=EVIL, name_en=EVIL))
        first = (
            conn.execute(
                sa.select(ProductionLine.id)
                .where(ProductionLine.enterprise_id == eid)
                .order_by(ProductionLine.id)
            )
            .scalars()
            .first()
        )
        conn.execute(sa.update(ProductionLine).where(ProductionLine.id == first).values(code=EVIL_CODE))
    headers = api_token(client, "province")
    for lang in ("zh", "en"):
        r = client.get(
            "/api/v1/intake/template",
            params={"enterprise_id": eid, "year": 2030, "lang": lang},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        wb = load_workbook(io.BytesIO(r.content))
        seen = 0
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                        seen += 1
                        assert cell.data_type == "s", (ws.title, cell.coordinate)
                        if cell.value.startswith("="):
                            assert cell.quotePrefix, (ws.title, cell.coordinate)
        assert seen >= 4  # the info name, the instructions, the line list and a data row
        info = {ws_row[0].value: ws_row[2].value for ws_row in wb[SHEET_INFO].iter_rows(min_row=2)}
        assert EVIL in info.values()
        # read as the importer reads (cached values): text, not a formula without a value
        values = load_workbook(io.BytesIO(r.content), read_only=True, data_only=True)
        assert EVIL_CODE in {
            row[0] for row in values[SHEET_DATA].iter_rows(min_row=3, max_col=1, values_only=True)
        }
        values.close()
