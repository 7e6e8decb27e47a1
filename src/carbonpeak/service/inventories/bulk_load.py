"""A bulk load: an activity table for many enterprises and years stored as versions.

``carbonpeak inventory compute FILE --store`` and the API's ``store=true`` come through
here — the same door as any import: every (enterprise, year) of the file becomes a new
version of that enterprise's submission for the year (``origin = bulk``), its figures and
its inventory written in bulk, all in one transaction, with one audit event.

Who loads decides the status: a **province** bulk load is the province's own data and is
approved at once (official); a city or enterprise load is a draft that goes through the
workflow like an uploaded workbook. A submission already in the workflow (submitted,
under verification, verified) is not overwritten: a located problem; so is an approved
submission for a non-province load, and an enterprise outside the caller's CHANGE scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select, update

from carbonpeak.accounting.factors import AccountingChoices
from carbonpeak.errors import InputError, Problem
from carbonpeak.io.tabular import Table
from carbonpeak.model import Action, Role
from carbonpeak.service.inventories.inventory_write import RunSpec, write_runs, write_values
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context, transactional
from carbonpeak.store.models import Enterprise, Submission, SubmissionStep, SubmissionVersion
from carbonpeak.store.scope import restrict

__all__ = ["LOCKED_STATUSES", "BulkLoad", "store_table"]

#: Statuses of a submission that a bulk load may not replace (it is in the workflow).
LOCKED_STATUSES = ("submitted", "under_verification", "verified")


@dataclass(frozen=True)
class BulkLoad:
    """What a bulk load stored: one version (and run) per enterprise-year."""

    file: str
    status: str
    enterprises: int
    years: list[int]
    versions: int
    rows: int
    run_ids: list[int] = field(default_factory=list)
    version_ids: list[int] = field(default_factory=list)


def _enterprises(ctx: Context, lines: pd.DataFrame, file: str) -> dict[str, Enterprise]:
    codes = sorted(lines["enterprise"].astype(str).unique().tolist())
    ents = {
        e.credit_code: e
        for e in ctx.db.execute(
            restrict(
                select(Enterprise).where(Enterprise.credit_code.in_(codes)), ctx.principal, Action.CHANGE
            )
        ).scalars()
    }
    missing = [c for c in codes if c not in ents]
    if missing:
        first_row = lines.groupby(lines["enterprise"].astype(str))["row"].min()
        raise InputError(
            [
                Problem("unknown_enterprise", column="enterprise", value=c, row=int(first_row[c]), file=file)
                for c in missing
            ]
        )
    return ents


@transactional
def store_table(
    ctx: Context,
    table: Table | pd.DataFrame,
    choices: AccountingChoices | None = None,
    *,
    method: str = "auto",
    year: int | None = None,
    file: str = "",
) -> BulkLoad:
    """Compute *table* and store one version per enterprise and year; all-or-nothing."""
    from carbonpeak.service.inventories.inventory import compute_table  # noqa: PLC0415 — a sibling's use case

    choices = choices or AccountingChoices()
    result = compute_table(ctx, table, choices, method=method, year=year, file=file)
    file = table.file if isinstance(table, Table) else file
    lines = result.lines
    status = "approved" if ctx.principal.role is Role.PROVINCE else "draft"
    if lines.empty:
        return BulkLoad(file, status, 0, [], 0, 0)
    ents = _enterprises(ctx, lines, file)
    lines = lines.assign(enterprise=lines["enterprise"].astype(str))
    lines["enterprise_id"] = lines["enterprise"].map({c: e.id for c, e in ents.items()}).astype(np.int64)
    keys = lines[["enterprise_id", "year"]].drop_duplicates().sort_values(["enterprise_id", "year"])
    pairs = [(int(e), int(y)) for e, y in keys.itertuples(index=False)]
    subs = _submissions(ctx, pairs, lines, file, status)
    now, who = audit.now_iso(), ctx.principal.username
    last_no = dict(
        ctx.db.execute(
            select(SubmissionVersion.submission_id, func.max(SubmissionVersion.version_no))
            .where(SubmissionVersion.submission_id.in_([s.id for s in subs.values()]))
            .group_by(SubmissionVersion.submission_id)
        ).all()
    )
    # the index of each line's (enterprise, year) in *pairs* (which are sorted the same way)
    lines["_run"] = lines.groupby(["enterprise_id", "year"], sort=True).ngroup().to_numpy(dtype=np.int64)
    counts = lines.groupby("_run").size()
    ver_rows = [
        {
            "submission_id": subs[p].id,
            "version_no": int(last_no.get(subs[p].id) or 0) + 1,
            "source_file": file[:255],
            "file_sha256": "",
            "row_count": int(counts.get(i, 0)),
            "origin": "bulk",
            "warnings": "[]",
            "note": "",
            "created_at": now,
            "created_by": who,
        }
        for i, p in enumerate(pairs)
    ]
    ver_ids = list(
        ctx.db.execute(
            insert(SubmissionVersion).returning(SubmissionVersion.id, sort_by_parameter_order=True), ver_rows
        ).scalars()
    )
    vals = lines.rename(columns={"line": "line_code"})
    vals = vals.assign(
        version_id=np.asarray(ver_ids, dtype=np.int64)[vals["_run"].to_numpy(dtype=np.int64)],
        unit=vals["item"]
        .astype(str)
        .map(next(iter(result.methods.values())).items["canonical_unit"])
        .astype(str),
        sheet="",
        col="",
    )
    write_values(ctx, vals)
    code_of = {e.id: c for c, e in ents.items()}
    specs = [
        RunSpec(
            enterprise_id=p[0],
            version_id=ver_ids[i],
            year=p[1],
            factors=result.methods[code_of[p[0]]],
            choices=replace(choices, method=result.methods[code_of[p[0]]].method.id),
            source_file=f"bulk load: {file}",
        )
        for i, p in enumerate(pairs)
    ]
    run_ids = write_runs(ctx, lines, specs)
    ctx.db.execute(
        update(SubmissionVersion),
        [{"id": v, "inventory_run_id": r} for v, r in zip(ver_ids, run_ids, strict=True)],
    )
    before = {p: s.status for p, s in subs.items()}
    sub_id = {p: s.id for p, s in subs.items()}  # read before the objects are expired below
    ctx.db.execute(
        update(Submission),
        [
            {"id": sub_id[p], "current_version_id": ver_ids[i], "status": status, "updated_at": now}
            for i, p in enumerate(pairs)
        ],
    )
    for s in subs.values():  # the bulk UPDATE does not refresh loaded objects
        ctx.db.expire(s)
    ctx.db.execute(
        insert(SubmissionStep),
        [
            {
                "submission_id": sub_id[p],
                "version_id": ver_ids[i],
                "from_status": before[p],
                "to_status": status,
                "actor": who,
                "role": str(ctx.principal.role),
                "comment": f"bulk load: {file}"[:4000],
                "created_at": now,
            }
            for i, p in enumerate(pairs)
        ],
    )
    years = sorted({p[1] for p in pairs})
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        "inventory.bulk_load",
        "submission_version",
        f"{min(ver_ids)}-{max(ver_ids)}",
        after={
            "file": file,
            "status": status,
            "enterprises": len(ents),
            "years": years,
            "versions": len(ver_ids),
            "rows": len(lines),
            "first_run": min(run_ids),
            "last_run": max(run_ids),
        },
    )
    return BulkLoad(file, status, len(ents), years, len(ver_ids), len(lines), run_ids, ver_ids)


def _submissions(
    ctx: Context, pairs: list[tuple[int, int]], lines: pd.DataFrame, file: str, status: str
) -> dict[tuple[int, int], Submission]:
    """The submission of every (enterprise, year), created where missing and locked for
    update; a submission the load may not replace is a located problem."""
    ent_ids = sorted({e for e, _ in pairs})
    wanted = set(pairs)
    have = {
        (s.enterprise_id, s.year): s
        for s in ctx.db.execute(
            select(Submission).where(Submission.enterprise_id.in_(ent_ids)).with_for_update()
        ).scalars()
        if (s.enterprise_id, s.year) in wanted
    }
    locked = LOCKED_STATUSES if status == "approved" else (*LOCKED_STATUSES, "approved")
    problems = []
    first = lines.groupby(["enterprise_id", "year"])["row"].min()
    for p, s in sorted(have.items()):
        if s.status in locked:
            problems.append(
                Problem(
                    "intake_submission_locked",
                    column="year",
                    value=p[1],
                    row=int(first[p]),
                    file=file,
                    fields={"year": p[1], "status": s.status},
                )
            )
    if problems:
        raise InputError(problems)
    now = audit.now_iso()
    new = [p for p in pairs if p not in have]
    if new:
        ctx.db.execute(
            insert(Submission),
            [
                {"enterprise_id": e, "year": y, "status": "draft", "created_at": now, "updated_at": now}
                for e, y in new
            ],
        )
        for s in ctx.db.execute(select(Submission).where(Submission.enterprise_id.in_(ent_ids))).scalars():
            if (s.enterprise_id, s.year) in wanted:
                have[(s.enterprise_id, s.year)] = s
    return have
