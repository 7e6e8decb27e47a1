"""``carbonpeak decompose lmdi --by-category``: the sub-category × factor contributions C_ik
(issue 12, item 9), through the service and the CLI, table and JSON.

Reference: LMDI-01 of validation-public.md — the LMDIR fixture (M. K. Heun,
tests/testthat/test_lmdi.R, ``Z_byname works as expected``): X_1971 = [[1, 10, 2], [4, 5, 3]],
X_1972 = [[4, 5, 3], [5, 6, 4]], Z = [[50.47438029, −25.23719014, 14.76280986],
[19.31568569, 15.78206435, 24.90224996]]; tolerance abs 1e-6 (the fixture's 10 digits).
Property: LMDI is a perfect decomposition — Σ_i Σ_k C_ik = V^T − V^0 per period.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from carbonpeak.cli.main import app
from carbonpeak.service.outlook.scenario_tools import lmdi_csv

runner = CliRunner()

Z_1971_1972 = {
    "subcat 1": [50.47438029, -25.23719014, 14.76280986],
    "subcat 2": [19.31568569, 15.78206435, 24.90224996],
}


def _fixture(tmp_path: Path) -> Path:
    f = tmp_path / "lmdi01.csv"
    f.write_text(
        "year,category,factor 1,factor 2,factor 3\n"
        "1971,subcat 1,1,10,2\n1971,subcat 2,4,5,3\n"
        "1972,subcat 1,4,5,3\n1972,subcat 2,5,6,4\n",
        encoding="utf-8",
    )
    return f


def test_the_z_matrix_of_the_lmdir_fixture(tmp_path: Path) -> None:
    res = lmdi_csv(_fixture(tmp_path), by_category=True)
    got = {c["category"]: list(c["contributions"].values()) for c in res.by_category}
    assert set(got) == set(Z_1971_1972)
    for cat, z in Z_1971_1972.items():
        assert got[cat] == pytest.approx(z, abs=1e-6)
    v = {c["category"]: (c["v_from"], c["v_to"], c["change"]) for c in res.by_category}
    assert v == {"subcat 1": (20.0, 60.0, 40.0), "subcat 2": (60.0, 120.0, 60.0)}
    assert all(abs(c["residual"]) < 1e-9 for c in res.by_category)


def test_without_the_option_there_are_no_cells(tmp_path: Path) -> None:
    assert lmdi_csv(_fixture(tmp_path)).by_category == []


def test_multiplicative_keeps_the_additive_cells(tmp_path: Path) -> None:
    res = lmdi_csv(_fixture(tmp_path), multiplicative=True, by_category=True)
    assert res.periods[0]["effects"]["factor 1"] == pytest.approx(1.761117821, abs=1e-6)
    cell = next(c for c in res.by_category if c["category"] == "subcat 2")
    assert list(cell["contributions"].values()) == pytest.approx(Z_1971_1972["subcat 2"], abs=1e-6)


def test_cli_table_and_json(tmp_path: Path) -> None:
    f = _fixture(tmp_path)
    table = runner.invoke(app, ["decompose", "lmdi", str(f), "--by-category"])
    assert table.exit_code == 0, table.output
    assert "分项 × 因素贡献" in table.output and "50.4744" in table.output and "24.9022" in table.output
    assert "Σ / 合计" in table.output and "69.7901" in table.output
    out = runner.invoke(app, ["decompose", "lmdi", str(f), "--by-category", "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    cells = {c["category"]: c for c in doc["by_category"]}
    assert cells["subcat 1"]["contributions"]["factor 1"] == pytest.approx(50.47438029, abs=1e-6)
    assert "by_category" not in json.loads(runner.invoke(app, ["decompose", "lmdi", str(f), "--json"]).stdout)


_pos = st.floats(min_value=0.0, max_value=1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=40)
@given(
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=1, max_value=3),
    st.integers(min_value=2, max_value=4),
    st.data(),
)
def test_cells_sum_exactly_to_the_total_change(n_i: int, n_k: int, n_y: int, data: st.DataObject) -> None:
    """Σ_i Σ_k C_ik = V^T − V^0 per period, zeros (appearing and vanishing sub-categories)
    included; Σ_i C_ik = the period's effect of factor k."""
    factors = [f"x{k}" for k in range(n_k)]
    rows = [
        [2000 + y, f"c{i}", *(data.draw(_pos) for _ in range(n_k))] for y in range(n_y) for i in range(n_i)
    ]
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "x.csv"
        f.write_text(
            "\n".join([",".join(["year", "category", *factors]), *(",".join(map(str, r)) for r in rows)])
            + "\n",
            encoding="utf-8",
        )
        res = lmdi_csv(f, by_category=True)
    for p in res.periods:
        cells = [c for c in res.by_category if c["year_from"] == p["year_from"]]
        assert len(cells) == n_i
        total = sum(sum(c["contributions"].values()) for c in cells)
        scale = max(1.0, abs(p["v_from"]), abs(p["v_to"]))
        assert abs(total - (p["v_to"] - p["v_from"])) <= 1e-9 * scale
        for k in factors:
            assert sum(c["contributions"][k] for c in cells) == pytest.approx(
                p["effects"][k], abs=1e-9 * scale
            )
        for c in cells:
            assert abs(c["residual"]) <= 1e-9 * max(1.0, abs(c["v_from"]), abs(c["v_to"]))
