"""Public data protect enterprises: no published figure is built from fewer than 3 enterprises.

The rule (docs/public-data.md, :mod:`carbonpeak.reporting.disclosure`): a cell of 1 or 2
enterprises is suppressed, and complementary cells with it, so that no suppressed cell can be
recovered by subtraction from a published total. The probe of issue 13 found tin (one
enterprise, Chenzhou, 12 000 t/a) and 26 city × metal cells of one enterprise in the public
aggregates. These tests crawl every route the anonymous visitor (and the public role) reaches,
through HTTP, and check every figure they publish against contributors counted in the store.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.api.routers import API_ROUTERS
from carbonpeak.reporting.disclosure import MIN_ENTERPRISES, suppressed_cells
from carbonpeak.store.db import engine_for
from carbonpeak.store.models import Enterprise, EnterpriseMetal, ProductionLine
from carbonpeak.web.routers import WEB_ROUTERS
from tests.conftest import api_token

#: what the anonymous visitor may read (everything else: 401, or a redirect to sign in)
PUBLIC_GETS = {"/api/v1/health", "/api/v1/sector/overview", "/api/v1/refdata/{domain}/{table}", "/", "/login"}
SUPPRESSED = {"zh": "<3 家 (不公布)", "en": "fewer than 3 (suppressed)"}
_PATH_VALUES = {
    "domain": "geo",
    "table": "cities",
    "lang": "en",
    "name": "green_certifications",
    "year": "2024",
}
_CHART = re.compile(r'<script type="application/json" id="chart-(\w+)-data">(.*?)</script>', re.S)


# --- the rule itself ----------------------------------------------------------------------


def test_one_small_cell_takes_the_next_smallest_with_it() -> None:
    cells = {
        "total": frozenset(range(10)),
        "a": frozenset({0}),
        "b": frozenset({1, 2, 3}),
        "c": frozenset({4, 5, 6, 7, 8, 9}),
    }
    assert suppressed_cells(cells, [["total", "a", "b", "c"]]) == {"a", "b"}


def test_two_tiny_cells_are_not_enough_together() -> None:
    """Two single-enterprise cells: their sum is still one enterprise's figure to the other."""
    cells = {
        "total": frozenset(range(9)),
        "a": frozenset({0}),
        "b": frozenset({1}),
        "c": frozenset({2, 3, 4}),
        "d": frozenset({5, 6, 7, 8}),
    }
    assert suppressed_cells(cells, [["total", "a", "b", "c", "d"]]) == {"a", "b", "c"}


def test_zeros_and_large_cells_stay() -> None:
    cells = {
        "total": frozenset(range(6)),
        "a": frozenset(),
        "b": frozenset({0, 1, 2}),
        "c": frozenset({3, 4, 5}),
    }
    assert suppressed_cells(cells, [["total", "a", "b", "c"]]) == set()


@st.composite
def _tables(draw: st.DrawFn) -> tuple[dict[tuple[str, ...], frozenset[int]], list[list[tuple[str, ...]]]]:
    """A random city × metal register: (cells with contributors, additive relations)."""
    n = draw(st.integers(0, 25))
    ents = [
        (draw(st.sampled_from("ABCD")), draw(st.sets(st.sampled_from("xyz"), min_size=1, max_size=2)))
        for _ in range(n)
    ]
    who: defaultdict[tuple[str, ...], set[int]] = defaultdict(set)
    for i, (city, metals) in enumerate(ents):
        who[("total",)].add(i)
        who[("city", city)].add(i)
        for m in metals:
            who[("metal", m)].add(i)
            who[("cm", city, m)].add(i)
    relations: list[list[tuple[str, ...]]] = [
        [("total",), *(("city", c) for c in "ABCD")],
        [("total",), *(("metal", m) for m in "xyz")],
        *([("city", c), *(("cm", c, m) for m in "xyz")] for c in "ABCD"),
        *([("metal", m), *(("cm", c, m) for c in "ABCD")] for m in "xyz"),
    ]
    return {k: frozenset(v) for k, v in who.items()}, relations


@given(_tables())
def test_no_published_cell_is_small_and_no_suppressed_one_is_recoverable(
    table: tuple[dict[tuple[str, ...], frozenset[int]], list[list[tuple[str, ...]]]],
) -> None:
    cells, relations = table
    hidden = suppressed_cells(cells, relations)
    for key, ents in cells.items():
        assert key in hidden or len(ents) == 0 or len(ents) >= MIN_ENTERPRISES
    for group in relations:
        out = [k for k in group if k in hidden]
        if out:
            covered = set().union(*(cells.get(k, frozenset()) for k in out))
            assert len(out) >= 2 or not [k for k in group if k not in hidden and cells.get(k)]
            assert len(covered) >= MIN_ENTERPRISES or all(k in hidden for k in group if cells.get(k))


# --- the store's truth --------------------------------------------------------------------


def _contributors(url: str) -> dict[tuple[str, ...], set[int]]:
    """Every aggregate cell of the overview → its enterprises, counted in the store."""
    who: defaultdict[tuple[str, ...], set[int]] = defaultdict(set)
    with engine_for(url).connect() as conn:
        active = Enterprise.deactivated_at.is_(None)
        city = dict(conn.execute(sa.select(Enterprise.id, Enterprise.city_code).where(active)).all())
        metal_rows = conn.execute(sa.select(EnterpriseMetal.enterprise_id, EnterpriseMetal.metal)).all()
        line_rows = conn.execute(sa.select(ProductionLine.enterprise_id, ProductionLine.metal)).all()
    for eid, c in city.items():
        who[("total",)].add(eid)
        who[("city", c)].add(eid)
    for eid, m in [*metal_rows, *line_rows]:
        if eid in city:
            who[("metal", m)].add(eid)
    for eid, m in metal_rows:
        if eid in city:
            who[("cm", city[eid], m)].add(eid)
    return who


def _check_overview(ov: dict[str, object], who: dict[tuple[str, ...], set[int]]) -> None:
    """Every published figure of the overview is built from 0 or ≥ 3 enterprises, and the
    suppressed ones of each published total hold ≥ 2 cells and ≥ 3 enterprises together."""

    def ok(key: tuple[str, ...], published: object) -> None:
        n = len(who.get(key, ()))
        if published is not None:
            assert n == 0 or n >= MIN_ENTERPRISES, (key, n, published)

    ok(("total",), ov["enterprises"])
    by_city = {c["code"]: c for c in ov["by_city"]}  # type: ignore[attr-defined]
    by_metal = {m["code"]: m for m in ov["by_metal"]}  # type: ignore[attr-defined]
    for code, c in by_city.items():
        ok(("city", code), c["enterprises"])
        assert (c["enterprises"] is None) == c["suppressed"]
    for code, m in by_metal.items():
        for field in ("enterprises", "lines", "capacity_t_per_a"):
            ok(("metal", code), m[field])
    for c, m, n in ov["city_metal"]:  # type: ignore[attr-defined]
        ok(("cm", c, m), n)
    # complementary: what subtraction from a total gives is an aggregate of ≥ 3 enterprises
    for published, key in ((by_city, "city"), (by_metal, "metal")):
        out = [code for code, row in published.items() if row["suppressed"]]
        if out:
            assert len(out) >= 2
            assert len(set().union(*(who[(key, code)] for code in out))) >= MIN_ENTERPRISES


# --- crawling what the anonymous visitor reaches ------------------------------------------


def _get_paths() -> Iterator[tuple[str, str]]:
    """(route path, a concrete path) for every GET route of the API and the pages."""
    for router in (*API_ROUTERS, *WEB_ROUTERS):
        for route in router.routes:
            if "GET" not in getattr(route, "methods", ()):
                continue
            path: str = route.path  # type: ignore[attr-defined]
            concrete = re.sub(r"\{(\w+)\}", lambda m: _PATH_VALUES.get(m.group(1), "1"), path)
            yield path, concrete


def test_the_anonymous_visitor_reaches_only_the_published_aggregates(client: TestClient) -> None:
    reached = set()
    for path, concrete in _get_paths():
        r = client.get(concrete, follow_redirects=False)
        assert r.status_code < 500, (concrete, r.status_code)
        if r.status_code == 200:
            reached.add(path)
        elif path.startswith("/api/"):
            assert r.status_code == 401, (concrete, r.status_code)
        elif path != "/lang/{lang}":
            assert r.status_code == 303 and r.headers["location"].startswith("/login"), concrete
    assert reached == PUBLIC_GETS


def test_the_public_role_gets_nothing_more(client: TestClient) -> None:
    """The demo's public account: every other API read is refused or empty."""
    headers = api_token(client, "public")
    own = {"/api/v1/me", "/api/v1/auth/tokens"}
    for path, concrete in _get_paths():
        if not path.startswith("/api/") or path in PUBLIC_GETS or path in own:
            continue
        r = client.get(concrete, headers=headers)
        assert r.status_code < 500, (concrete, r.status_code)
        if r.status_code == 200:
            assert r.json() in ([], {}), concrete


def test_the_overview_api_publishes_no_small_cell(client: TestClient, demo_url: str) -> None:
    who = _contributors(demo_url)
    assert len(who[("metal", "Sn")]) == 1  # the probe's case is in the demo
    ov = client.get("/api/v1/sector/overview").json()
    assert ov["min_enterprises"] == MIN_ENTERPRISES
    _check_overview(ov, who)
    sn = next(m for m in ov["by_metal"] if m["code"] == "Sn")
    assert sn == {**sn, "enterprises": None, "lines": None, "capacity_t_per_a": None, "suppressed": True}
    assert ("431000", "Sn", None) in {tuple(x) for x in ov["city_metal"]}
    # tin's 12 000 t/a cannot be had by subtraction either
    shown = sum(m["capacity_t_per_a"] for m in ov["by_metal"] if not m["suppressed"])
    assert ov["capacity_t_per_a"] - shown != pytest.approx(12_000)
    assert sum(1 for m in ov["by_metal"] if m["suppressed"]) >= 2
    # no city × metal cell of one or two enterprises, though the demo has many
    assert sum(1 for k, v in who.items() if k[0] == "cm" and 0 < len(v) < MIN_ENTERPRISES) >= 20
    for c, m, n in ov["city_metal"]:
        assert n is None or n >= MIN_ENTERPRISES or n == 0, (c, m, n)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_home_page_publishes_no_small_cell(client: TestClient, lang: str) -> None:
    client.get(f"/lang/{lang}")
    html = client.get("/").text
    ov = client.get("/api/v1/sector/overview").json()
    charts = {name: json.loads(body) for name, body in _CHART.findall(html)}
    suppressed = [m for m in ov["by_metal"] if m["suppressed"]]
    names = {m["name_zh" if lang == "zh" else "name_en"] for m in suppressed}
    assert "锡" in {m["name_zh"] for m in suppressed}
    # the charts draw no suppressed metal and no suppressed city × metal cell
    assert not names & set(charts["metal"]["categories"])
    assert not names & {s["name"] for s in charts["city"]["series"]}
    published = {
        m["name_zh" if lang == "zh" else "name_en"]: m for m in ov["by_metal"] if not m["suppressed"]
    }
    for name, n in zip(charts["metal"]["categories"], charts["metal"]["enterprises"], strict=True):
        assert n == published[name]["enterprises"] >= MIN_ENTERPRISES
    for series in charts["city"]["series"]:
        assert all(v is None or v == 0 or v >= MIN_ENTERPRISES for v in series["data"])
    # the table shows each suppressed metal with the words, never a figure
    table = html.split('id="metal-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    for m in suppressed:
        row = next(r for r in rows if m["name_zh" if lang == "zh" else "name_en"] in r)
        assert SUPPRESSED[lang] in row.replace("&lt;", "<")
        assert not re.search(r">\s*[\d,.]+\s*<", row)
    assert 'id="small-cells-note"' in html


def test_the_public_account_pages_show_no_enterprise(client: TestClient) -> None:
    """Signed in as the demo's public account: the pages it may open list no enterprise."""
    from tests.web.conftest import web_login

    web_login(client, "public")
    opened = set()
    for path, concrete in _get_paths():
        if path.startswith("/api/") or path == "/lang/{lang}":
            continue
        r = client.get(concrete, follow_redirects=False)
        assert r.status_code < 500, (concrete, r.status_code)
        if r.status_code == 200:
            opened.add(path)
            assert not re.search(r"9143\d{2}[0-9A-Z]{10}", r.text), concrete  # no demo credit code
    assert opened == {"/", "/enterprises", "/submissions", "/account", "/account/password"}


def test_a_register_of_fewer_than_three_publishes_no_total(empty_url: str) -> None:
    """Even the sector's totals are built from enterprises: with 1 or 2 in the register they
    are suppressed too (0 is published: it discloses nobody)."""
    from carbonpeak.app import create_app
    from carbonpeak.model.credit_code import check_character
    from carbonpeak.model.schemas import EnterpriseCreate, LineCreate
    from carbonpeak.service.platform.context import SYSTEM, Context
    from carbonpeak.service.registry import enterprises
    from carbonpeak.settings import Settings
    from carbonpeak.store.db import sessionmaker_for

    line = LineCreate(code="L01", name_zh="锡线", metal="Sn", route="sn_smelting", capacity_t_per_a=12_000)
    with TestClient(create_app(Settings(database_url=empty_url))) as c:
        ov = c.get("/api/v1/sector/overview").json()
        assert (ov["enterprises"], ov["lines"], ov["capacity_t_per_a"]) == (0, 0, 0.0)
        for n in (1, 2):
            code = f"91431000MA4L0000{n}"
            with sessionmaker_for(empty_url)() as db:
                enterprises.create_enterprise(
                    Context(db=db, principal=SYSTEM, request_id="t"),
                    EnterpriseCreate(
                        credit_code=code + check_character(code),
                        name_zh="测试",
                        city_code="431000",
                        metals=["Sn"],
                        lines=[line],
                    ),
                )
            ov = c.get("/api/v1/sector/overview").json()
            html = c.get("/").text
            assert (ov["enterprises"], ov["lines"], ov["capacity_t_per_a"]) == (None, None, None)
            assert all(m["suppressed"] for m in ov["by_metal"]) and ov["by_metal"]
            assert all(cell is None for _c, _m, cell in ov["city_metal"])
            assert html.count(SUPPRESSED["zh"].replace("<", "&lt;")) >= 4  # three KPIs and the tin row
            assert "12,000" not in html and "1.20" not in html and "2.40" not in html
