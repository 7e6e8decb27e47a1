"""``carbonpeak catalogue list``, run as a user would (in-process through Typer's runner)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from carbonpeak.cli.main import app

runner = CliRunner()


def test_list_zinc_as_json_holds_zinc_and_cross_cutting_rows_with_sourced_figures() -> None:
    r = runner.invoke(app, ["catalogue", "list", "--metal", "锌", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    ids = {row["id"] for row in rows}
    assert {"zn_large_roasting", "zn_large_anode_auto_stripping", "efficient_motor", "rooftop_pv"} <= ids
    assert not any(row["metal"] not in ("Zn", "") for row in rows)
    for row in rows:
        for fig in row["figures"].values():
            assert (fig["value"] is None) or (fig["source_id"] and fig["confidence"])


def test_list_prints_the_sourced_figure_with_its_source() -> None:
    # the table wraps its cells to the terminal's width: the figure and its source are
    # checked in the JSON, the table's own count line in the table
    r = runner.invoke(app, ["catalogue", "list", "--metal", "Pb"])
    assert r.exit_code == 0, r.output
    assert "1 个有来源的数值 / " in r.output
    rows = json.loads(runner.invoke(app, ["catalogue", "list", "--metal", "Pb", "--json"]).output)
    slag = next(row for row in rows if row["name_zh"] == "液态高铅渣直接还原技术")
    sourced = [f for f in slag["figures"].values() if f["value"] is not None]
    assert [(f["source_id"], f["confidence"]) for f in sourced] == [
        ("lead_efficiency_leaders_2020_report", "S")
    ]


def test_an_unknown_metal_is_refused_in_both_languages() -> None:
    r = runner.invoke(app, ["catalogue", "list", "--metal", "Xx"])
    assert r.exit_code == 2
    assert "未找到金属：Xx" in r.output
    assert "Not found: metal Xx" in r.output
