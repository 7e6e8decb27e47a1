"""The command line, run as a user would (in-process through Typer's runner)."""

from __future__ import annotations

import sqlalchemy as sa
from typer.testing import CliRunner

from carbonpeak.cli.main import app
from carbonpeak.service.access.auth import verify_password
from carbonpeak.store.db import engine_for
from carbonpeak.store.models import User

runner = CliRunner()


def test_user_add_hashes_the_password_with_argon2(store: str) -> None:
    r = runner.invoke(
        app,
        [
            "user",
            "add",
            "xiangtan-bureau",
            "--role",
            "city",
            "--city",
            "湘潭",
            "--password",
            "a-long-password",
            "--display-name",
            "湘潭市工信局",
        ],
    )
    assert r.exit_code == 0, r.output
    with engine_for(store).connect() as conn:
        u = conn.execute(sa.select(User).where(User.username == "xiangtan-bureau")).one()
    assert u.city_code == "430300"
    assert u.password_hash.startswith("$argon2id$")
    assert verify_password(u.password_hash, "a-long-password")
    assert not verify_password(u.password_hash, "a-long-passwore")


def test_user_add_reports_bad_input_in_zh_and_en(store: str) -> None:
    r = runner.invoke(app, ["user", "add", "x", "--role", "city", "--city", "火星", "--password", "short"])
    assert r.exit_code == 2
    out = r.output
    assert "未知的市州" in out and "Unknown city/prefecture" in out
    assert "密码至少需要" in out and "at least 10 characters" in out


def test_audit_verify_passes_then_catches_an_edit(store: str) -> None:
    r = runner.invoke(app, ["audit", "verify"])
    assert r.exit_code == 0 and "intact" in r.output
    with engine_for(store).begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_event_no_update")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_event_append_only ON audit_event")
        conn.exec_driver_sql("UPDATE audit_event SET actor = 'mallory' WHERE id = 4")
    r = runner.invoke(app, ["audit", "verify"])
    assert r.exit_code == 1
    assert "edited" in r.output and "broken" in r.output


def test_import_errors_print_every_location(store: str, tmp_path: object) -> None:
    from pathlib import Path

    f = Path(str(tmp_path)) / "bad.csv"
    f.write_text("credit_code,name_zh,city\n91430400000000001X,甲（示例）,火星\n", "utf-8")
    r = runner.invoke(app, ["enterprise", "import", str(f)])
    assert r.exit_code == 2
    assert "bad.csv" in r.output and "credit_code" in r.output and "city" in r.output


def test_refdata_check_and_units_convert(store: str) -> None:
    r = runner.invoke(app, ["refdata", "check"])
    from carbonpeak import refdata

    assert r.exit_code == 0 and "geo/cities" in r.output
    assert f"factor set {refdata.factor_set().version}" in r.output
    r = runner.invoke(app, ["units", "convert", "3", "万千瓦时", "MWh"])
    assert r.exit_code == 0 and "= 30 MWh" in r.output
    r = runner.invoke(app, ["units", "convert", "3", "万千瓦时", "t"])
    assert r.exit_code == 2 and "wrong dimension" in r.output


def test_enterprise_list_filters(store: str) -> None:
    r = runner.invoke(app, ["enterprise", "list", "--city", "衡阳"])
    assert r.exit_code == 0 and "14 enterprises" in r.output
