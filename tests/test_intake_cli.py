"""carbonpeak template xlsx / import / export, run as a user would (Typer's runner)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from carbonpeak.cli.main import app
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import Submission
from tests.intake_support import GOOD_ROWS, PBZN, fill

runner = CliRunner()


def test_template_import_export(store: str, tmp_path: Path) -> None:
    tpl = tmp_path / "t.xlsx"
    r = runner.invoke(app, ["template", "xlsx", "--enterprise", PBZN, "--year", "2030", "--out", str(tpl)])
    assert r.exit_code == 0, r.output
    assert load_workbook(tpl)["信息 Info"]["C2"].value == PBZN

    good = tmp_path / "in" / "good.xlsx"
    good.parent.mkdir()
    good.write_bytes(fill(tpl.read_bytes(), GOOD_ROWS))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        fill(tpl.read_bytes(), [("L01", "烟煤", "桶", [1.0] * 12), ("L01", "铂", "t", [1.0] * 12)])
    )
    marked = tmp_path / "marked.xlsx"
    r = runner.invoke(app, ["import", str(bad), "--marked-out", str(marked)])
    assert r.exit_code == 2
    assert "intake_unknown_unit" in r.output and "intake_unknown_item" in r.output
    assert load_workbook(marked).sheetnames[0] == "问题 Problems"

    r = runner.invoke(app, ["import", str(good.parent)])  # a folder
    assert r.exit_code == 0, r.output
    assert "imported 1, rejected 0" in r.output

    with sessionmaker_for(store)() as db:  # the new submission (the demo's years came first)
        sid = db.execute(select(func.max(Submission.id))).scalar_one()
    out = tmp_path / "s.csv"
    r = runner.invoke(app, ["export", "submission", str(sid), "--format", "csv", "--out", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert len(rows) == 72 and rows[0]["enterprise"] == PBZN

    r = runner.invoke(app, ["import", str(out), "--note", "re-import"])  # the export imports again
    assert r.exit_code == 0, r.output

    r = runner.invoke(app, ["export", "submission", str(sid), "--format", "pdf"])
    assert r.exit_code == 2 and "intake_bad_format" not in r.output  # printed as zh/en text
    assert "xlsx" in r.output

    r = runner.invoke(app, ["template", "xlsx", "--enterprise", "91430400000000000X", "--year", "2030"])
    assert r.exit_code == 2
