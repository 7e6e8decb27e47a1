"""``carbonpeak verifier …`` and ``carbonpeak round …``, run as a user would (Typer's runner)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from carbonpeak.cli._console import console
from carbonpeak.cli.main import app
from carbonpeak.store.db import engine_for
from carbonpeak.store.models import AuditEvent, VerifierAssignment
from tests.service.workflow_support import LOUDI_SB

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console() -> Iterator[None]:
    """Tables as wide as their content, whatever width an earlier test left (as tests/review)."""
    old = console.width
    console.width = 240
    yield
    console.width = old


def _ok(args: list[str]) -> str:
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    return r.output


def test_assign_list_unassign_and_the_round(store: str) -> None:
    _ok(
        [
            "user",
            "add",
            "cli-verifier",
            "--role",
            "verifier",
            "--password",
            "a-long-password",
            "--display-name",
            "命令行核查中心",
        ]
    )
    out = _ok(["verifier", "assign", "cli-verifier", "--enterprise", LOUDI_SB, "--year", "2026"])
    assert "命令行核查中心 (cli-verifier)" in out and LOUDI_SB in out and "2026" in out
    listed = _ok(["verifier", "list", "--year", "2026", "--city", "431300"])
    assert "cli-verifier" in listed and "娄底市" in listed
    dup = runner.invoke(
        app, ["verifier", "assign", "cli-verifier", "--enterprise", LOUDI_SB, "--year", "2026"]
    )
    assert dup.exit_code == 2
    assert "已分配到企业" in dup.output and "is already assigned to" in dup.output
    bad = runner.invoke(app, ["verifier", "assign", "province", "--enterprise", LOUDI_SB])
    assert bad.exit_code == 2
    assert "不是核查机构账号" in bad.output and "column=verifier" in bad.output
    missing = runner.invoke(app, ["verifier", "unassign", "cli-verifier", "--enterprise", LOUDI_SB])
    assert missing.exit_code == 2 and "未找到核查分配" in missing.output
    _ok(["verifier", "unassign", "cli-verifier", "--enterprise", LOUDI_SB, "--year", "2026"])

    opened = _ok(["round", "open", "2026", "--deadline", "2027-03-31", "-m", "首轮"])
    assert "2027-03-31" in opened
    late = runner.invoke(app, ["round", "open", "2026", "--deadline", "2030-01-01"])
    assert late.exit_code == 2 and "截止日期" in late.output and "Beijing time" in late.output
    status = _ok(["round", "status", "2026", "--city", "430400"])
    assert "2027-03-31" in status and "未报送" in status and "示例碳核查技术服务中心（示例）" in status

    with engine_for(store).connect() as conn:
        actions = [
            (e.action, e.actor)
            for e in conn.execute(
                sa.select(AuditEvent)
                .where(AuditEvent.action.in_(["verifier.assign", "verifier.unassign", "round.open"]))
                .order_by(AuditEvent.id)
            )
        ][-3:]
        left = conn.execute(
            sa.select(sa.func.count())
            .select_from(VerifierAssignment)
            .where(VerifierAssignment.period_id.is_not(None))
        ).scalar_one()
        after = json.loads(
            conn.execute(sa.select(AuditEvent.after).where(AuditEvent.action == "round.open")).scalar_one()
        )
    assert actions == [
        ("verifier.assign", "system"),
        ("verifier.unassign", "system"),
        ("round.open", "system"),
    ]
    assert left == 0 and after == {"deadline": "2027-03-31", "note": "首轮"}
