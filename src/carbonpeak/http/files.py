"""Files in and out of the HTTP faces: size-limited uploads and attachment downloads.

Every upload is read through :func:`read_upload` (at most ``settings.max_upload_mb``; one
byte more is a 413 and nothing else is read), every file leaves through :func:`download`
(``attachment`` with an ASCII fallback name and the UTF-8 name, RFC 6266 / 5987, and
``X-Content-Type-Options: nosniff``); a stored evidence file leaves through
:func:`attachment_response`. The API routes and the web pages share them.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request, UploadFile
from fastapi.responses import Response

from carbonpeak.errors import PayloadTooLarge
from carbonpeak.service.reporting.evidence import EvidenceFile

__all__ = ["CSV", "XLSX", "attachment_response", "content_disposition", "download", "read_upload"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


async def read_upload(request: Request, upload: UploadFile) -> bytes:
    """The upload's bytes, refusing more than ``max_upload_mb`` without reading it all."""
    limit_mb = int(request.app.state.settings.max_upload_mb)
    data = await upload.read(limit_mb * 1024 * 1024 + 1)
    if len(data) > limit_mb * 1024 * 1024:
        raise PayloadTooLarge(limit_mb=limit_mb)
    return data


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(data: bytes, filename: str, media_type: str, headers: dict[str, str] | None = None) -> Response:
    """*data* as a file download named *filename*."""
    return Response(
        content=data,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
            **(headers or {}),
        },
    )


def attachment_response(file: EvidenceFile) -> Response:
    """A stored file as a download: its stored content type, attachment, nosniff, not cached."""
    return Response(
        content=file.data,
        media_type=file.content_type,
        headers={
            "Content-Disposition": content_disposition(file.filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
