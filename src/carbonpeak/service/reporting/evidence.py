"""Evidence files (invoices, meter photos, lab reports) attached to a submission line.

- The type is read from the file's first bytes (:func:`sniff`), never from its name or the
  content type a browser sent: PDF, PNG, JPEG, or an xlsx workbook (a ZIP holding
  ``[Content_Types].xml`` and ``xl/workbook.xml``; only the ZIP directory is read, nothing
  is inflated). Anything else is refused with ``evidence_bad_type``. A workbook must also
  pass :func:`carbonpeak.io.xlsx.check_package` (no zip bomb, no DTD, UTF-8 XML), since an
  official opens it: ``bad_file`` / ``xlsx_dtd`` / ``xlsx_malformed``.
- Bytes are stored once per SHA-256 (:class:`~carbonpeak.store.models.EvidenceBlob`);
  each attachment is an :class:`~carbonpeak.store.models.Evidence` row naming the blob.
  Attaching the same file twice to the same submission line returns the existing row.
- Size: at most ``settings.max_upload_mb``.
- Who: the enterprise (own), or the city/province for it, until the submission is
  approved; the assigned verifier while it is under verification. Listing and download
  follow the submission's scope; anything out of scope is not found.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from carbonpeak.errors import InputError, NotFound, PayloadTooLarge, PermissionDenied, Problem
from carbonpeak.io.xlsx import check_package
from carbonpeak.model import Role
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import SYSTEM, Context, transactional
from carbonpeak.service.reporting import workflow
from carbonpeak.service.reporting.workflow import Scope, Status, load_visible, scope_holds
from carbonpeak.settings import get_settings
from carbonpeak.store.models import Evidence, EvidenceBlob, ProductionLine

__all__ = [
    "KINDS",
    "EvidenceFile",
    "add_evidence",
    "adjust_with_evidence",
    "attach",
    "download",
    "list_evidence",
    "safe_filename",
    "sniff",
]

#: kind -> (content type, extension)
KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", ".pdf"),
    "png": ("image/png", ".png"),
    "jpeg": ("image/jpeg", ".jpg"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
}

_ENTERPRISE_SIDE = {Role.ENTERPRISE: Scope.OWN, Role.CITY: Scope.CITY, Role.PROVINCE: Scope.ALL}


def sniff(data: bytes) -> str | None:
    """The kind of *data* by its magic bytes: ``pdf``, ``png``, ``jpeg``, ``xlsx`` or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
    return None


_UNSAFE = frozenset('"\\/:*?<>|;')
_RUNS = re.compile(r"_{2,}")


def safe_filename(name: str, kind: str) -> str:
    """The base name of *name*, without control, format or path characters, at most 120
    characters, ending with the extension of the sniffed *kind*."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    # no control, format (e.g. a right-to-left override) or path characters
    base = "".join(c if c.isprintable() and c not in _UNSAFE else "_" for c in base)
    base = _RUNS.sub("_", base).strip(" .") or "evidence"
    ext = KINDS[kind][1]
    stem = (
        base[: -len(ext)] if base.lower().endswith(ext) else base.rsplit(".", 1)[0] if "." in base else base
    )
    return (stem[: 120 - len(ext)] or "evidence") + ext


@dataclass(frozen=True)
class EvidenceFile:
    """An evidence row and its bytes, for a download."""

    id: int
    filename: str
    content_type: str
    data: bytes


def _dict(ev: Evidence) -> dict[str, Any]:
    return {
        "id": ev.id,
        "submission_id": ev.submission_id,
        "enterprise_id": ev.enterprise_id,
        "line_code": ev.line_code,
        "sha256": ev.sha256,
        "filename": ev.filename,
        "content_type": ev.content_type,
        "size_bytes": ev.size_bytes,
        "description": ev.description,
        "created_at": ev.created_at,
        "created_by": ev.created_by,
    }


@transactional
def attach(
    ctx: Context,
    submission_id: int,
    data: bytes,
    filename: str,
    *,
    line_code: str = "",
    description: str = "",
    max_bytes: int | None = None,
) -> dict[str, Any]:
    """Attach *data* to a submission (optionally one production line); returns the row."""
    return add_evidence(
        ctx, submission_id, data, filename, line_code=line_code, description=description, max_bytes=max_bytes
    )


@transactional
def adjust_with_evidence(
    ctx: Context,
    submission_id: int,
    value_id: int,
    quantity: Any,
    unit: str,
    reason: str,
    data: bytes,
    filename: str,
    *,
    max_bytes: int | None = None,
) -> dict[str, Any]:
    """Attach an evidence file and adjust a figure citing it, all-or-nothing."""
    ev = add_evidence(ctx, submission_id, data, filename, description=reason[:2000], max_bytes=max_bytes)
    return workflow.record_adjustment(
        ctx, value_id, quantity, unit, reason, int(ev["id"]), submission_id=submission_id
    )


def add_evidence(
    ctx: Context,
    submission_id: int,
    data: bytes,
    filename: str,
    *,
    line_code: str = "",
    description: str = "",
    max_bytes: int | None = None,
) -> dict[str, Any]:
    """:func:`attach` in the caller's transaction (flushes only)."""
    sub, ent = load_visible(ctx, submission_id)
    p = ctx.principal
    if p != SYSTEM:
        if p.role is Role.VERIFIER:
            if sub.status != Status.UNDER_VERIFICATION:
                raise PermissionDenied(role=str(p.role), action="evidence.attach")
            if not scope_holds(ctx, Scope.ASSIGNED, sub, ent):
                raise NotFound(object="submission", key=submission_id)
        elif p.role in _ENTERPRISE_SIDE and sub.status != Status.APPROVED:
            if not scope_holds(ctx, _ENTERPRISE_SIDE[p.role], sub, ent):
                raise NotFound(object="submission", key=submission_id)
        else:
            raise PermissionDenied(role=str(p.role), action="evidence.attach")
    limit = max_bytes if max_bytes is not None else get_settings().max_upload_mb * 1024 * 1024
    if len(data) > limit:
        raise PayloadTooLarge(limit_mb=round(limit / 1024 / 1024, 2))
    problems: list[Problem] = []
    kind = sniff(data)
    if not data:
        problems.append(Problem("evidence_empty", column="file", value=filename))
    elif kind is None:
        problems.append(Problem("evidence_bad_type", column="file", value=filename))
    elif kind == "xlsx":
        try:  # a workbook an official will open: no zip bomb, no DTD, UTF-8 XML
            check_package(data, filename)
        except InputError as exc:
            problems.extend(exc.problems)
    line_code = (line_code or "").strip()
    if line_code:
        known = ctx.db.execute(
            select(ProductionLine.id).where(
                ProductionLine.enterprise_id == ent.id, ProductionLine.code == line_code
            )
        ).first()
        if known is None:
            problems.append(Problem("unknown_line", column="line_code", value=line_code))
    description = (description or "").strip()
    if len(description) > 2000:
        problems.append(
            Problem("validation", column="description", value=len(description), fields={"detail": "≤ 2000"})
        )
    if problems or kind is None:
        raise InputError(problems)
    digest = hashlib.sha256(data).hexdigest()
    existing = ctx.db.execute(
        select(Evidence).where(
            Evidence.submission_id == sub.id, Evidence.sha256 == digest, Evidence.line_code == line_code
        )
    ).scalar_one_or_none()
    if existing is not None:
        return _dict(existing)
    if ctx.db.get(EvidenceBlob, digest) is None:
        ctx.db.add(EvidenceBlob(sha256=digest, size_bytes=len(data), data=data))
        ctx.db.flush()  # no ORM relationship orders the inserts: the blob goes first
    ev = Evidence(
        enterprise_id=ent.id,
        submission_id=sub.id,
        line_code=line_code,
        sha256=digest,
        filename=safe_filename(filename, kind),
        content_type=KINDS[kind][0],
        size_bytes=len(data),
        description=description,
        created_at=audit.now_iso(),
        created_by=p.username,
    )
    ctx.db.add(ev)
    ctx.db.flush()
    audit.record(
        ctx.db,
        p,
        ctx.request_id,
        "submission.evidence",
        "submission",
        sub.id,
        after={
            "evidence_id": ev.id,
            "sha256": digest,
            "filename": ev.filename,
            "line": line_code,
            "size_bytes": len(data),
            "content_type": ev.content_type,
        },
    )
    return _dict(ev)


def list_evidence(ctx: Context, submission_id: int) -> list[dict[str, Any]]:
    """The evidence of a submission (scoped), oldest first."""
    sub, _ent = load_visible(ctx, submission_id)
    rows = ctx.db.execute(
        select(Evidence).where(Evidence.submission_id == sub.id).order_by(Evidence.id)
    ).scalars()
    return [_dict(e) for e in rows]


def download(ctx: Context, evidence_id: int) -> EvidenceFile:
    """An evidence file's name, stored content type and bytes (scoped: out of scope is not found)."""
    ev = ctx.db.get(Evidence, evidence_id)
    if ev is None or ev.submission_id is None:
        raise NotFound(object="evidence", key=evidence_id)
    try:
        load_visible(ctx, ev.submission_id)
    except NotFound:
        raise NotFound(object="evidence", key=evidence_id) from None
    blob = ctx.db.get(EvidenceBlob, ev.sha256)
    if blob is None:  # pragma: no cover — the foreign key guarantees it
        raise NotFound(object="evidence", key=evidence_id)
    return EvidenceFile(id=ev.id, filename=ev.filename, content_type=ev.content_type, data=bytes(blob.data))
