"""Helpers for the workflow tests: demo principals and submissions made through the models.

Submissions are written here directly (one version of 12 monthly coal figures on line L01
and one electricity figure), so the state machine is tested apart from the importer.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.model import Principal
from carbonpeak.service.access import auth
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context
from carbonpeak.store.models import (
    Enterprise,
    Submission,
    SubmissionValue,
    SubmissionVersion,
    User,
)

PBZN = "91430400XU6TWF13XG"  # Hengyang, park shuikoushan: the demo verifier's
LOUDI_SB = "91431300PF5LKFBQ3D"  # Loudi: no verifier assigned
COAL_T = [800.0 + 10 * m for m in range(1, 13)]


def principal(db: Session, username: str) -> Principal:
    user = db.execute(select(User).where(User.username == username)).scalar_one()
    return auth.principal_for(db, user)


def ctx_for(db: Session, username: str) -> Context:
    return Context(db=db, principal=principal(db, username), request_id=f"test-{username}")


def enterprise_id(db: Session, credit_code: str) -> int:
    return int(db.execute(select(Enterprise.id).where(Enterprise.credit_code == credit_code)).scalar_one())


def make_submission(
    db: Session, credit_code: str = PBZN, year: int = 2026, status: str = "draft", versions: int = 1
) -> int:
    """A submission with *versions* versions (the last is current); returns its id."""
    now = audit.now_iso()
    sub = Submission(
        enterprise_id=enterprise_id(db, credit_code), year=year, status=status, created_at=now, updated_at=now
    )
    db.add(sub)
    db.flush()
    for no in range(1, versions + 1):
        ver = SubmissionVersion(
            submission_id=sub.id,
            version_no=no,
            source_file=f"test-v{no}.xlsx",
            file_sha256=f"{no:064d}",
            row_count=13,
            created_at=now,
            created_by="test",
        )
        db.add(ver)
        db.flush()
        for m, q in enumerate(COAL_T, start=1):
            db.add(
                SubmissionValue(
                    version_id=ver.id,
                    line_code="L01",
                    item="bituminous_coal",
                    period=f"{year}-{m:02d}",
                    quantity=q + no - 1,
                    unit="t",
                    quantity_in=q + no - 1,
                    unit_in="t",
                    sheet="data",
                    row=4,
                    col=chr(ord("D") + m - 1),
                )
            )
        db.add(
            SubmissionValue(
                version_id=ver.id,
                line_code="L01",
                item="electricity_purchased",
                period=f"{year}-01",
                quantity=1200.0,
                unit="MWh",
                quantity_in=120.0,
                unit_in="万kWh",
                sheet="data",
                row=5,
                col="D",
            )
        )
        sub.current_version_id = ver.id
    db.commit()
    return sub.id


def value_ids(db: Session, submission_id: int) -> list[int]:
    sub = db.get(Submission, submission_id)
    assert sub is not None
    return list(
        db.execute(
            select(SubmissionValue.id)
            .where(SubmissionValue.version_id == sub.current_version_id)
            .order_by(SubmissionValue.id)
        ).scalars()
    )
