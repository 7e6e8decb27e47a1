"""The request-body guard: size before anything is read, credentials before an upload is read.

A pure ASGI middleware around the whole application (API and pages), so it acts before
FastAPI parses (and spools to disk) a form or a multipart body:

- **Size.** A request body may hold at most ``settings.max_upload_mb`` MiB plus
  :data:`FORM_SLACK_BYTES` for the form's own fields and multipart framing. A declared
  ``Content-Length`` beyond that is a 413 at once, nothing read; a body without one (chunked)
  is counted as it arrives and cut off with a 413 as soon as it passes the limit. Each file
  is then held to ``max_upload_mb`` exactly by :func:`carbonpeak.http.files.read_upload`.
- **Credentials first.** A ``multipart/form-data`` request (every upload) must carry valid
  credentials before its body is read: a bearer token under ``/api/`` (else 401,
  ``auth_required`` / ``auth_token_invalid``), a session cookie on the pages (else a 303 to
  the sign-in page). The route checks role, scope and CSRF afterwards, as before.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException

from carbonpeak.errors import message
from carbonpeak.service.access.auth import principal_for_session, principal_for_token
from carbonpeak.service.platform.session import open_session
from carbonpeak.settings import Settings

__all__ = ["FORM_SLACK_BYTES", "SESSION_COOKIE", "BodyGuard", "body_limit"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Room for a form's other fields and the multipart boundaries around the file.
FORM_SLACK_BYTES = 1024 * 1024
#: The browser session cookie of the pages (set and cleared by :mod:`carbonpeak.web.security`).
SESSION_COOKIE: Final = "cp_session"
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def body_limit(settings: Settings) -> int:
    """The largest request body accepted [bytes]."""
    return settings.max_upload_mb * 1024 * 1024 + FORM_SLACK_BYTES


class BodyGuard:
    """Refuse oversized bodies before reading them and anonymous uploads before reading them."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = body_limit(self.settings)
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._error(scope, send, 413, "payload_too_large", limit_mb=self.settings.max_upload_mb)
            return
        if headers.get("content-type", "").lower().startswith("multipart/"):
            refusal = await run_in_threadpool(self._credentials_problem, scope, headers)
            if refusal == "login":
                await self._redirect_to_login(scope, send)
                return
            if refusal is not None:
                await self._error(scope, send, 401, refusal, www_authenticate=True)
                return
        await self.app(scope, self._counted(receive, limit), send)

    def _counted(self, receive: Receive, limit: int) -> Receive:
        seen = 0
        max_mb = self.settings.max_upload_mb

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    # FastAPI re-raises an HTTPException from body parsing unchanged; the
                    # error handler answers it as ``payload_too_large``.
                    raise HTTPException(413, detail=str(max_mb))
            return msg

        return counted

    def _credentials_problem(self, scope: Scope, headers: Headers) -> str | None:
        """None if the request carries valid credentials; else the error code, or "login"."""
        api = str(scope.get("path", "")).startswith("/api/")
        if api:
            scheme, _, token = headers.get("authorization", "").partition(" ")
            token = token.strip()
            if scheme.lower() != "bearer" or not token:
                return "auth_required"
        else:
            token = _cookie(headers.get("cookie", ""), SESSION_COOKIE)
            if not token:
                return "login"
        with open_session(self.settings.database_url) as db:
            found = principal_for_token(db, token) if api else principal_for_session(db, token)
        if found is None:
            return "auth_token_invalid" if api else "login"
        return None

    async def _error(self, scope: Scope, send: Send, status: int, code: str, **fields: Any) -> None:
        www = bool(fields.pop("www_authenticate", False))
        rid = _request_id(scope)
        body = json.dumps(
            {
                "error": {
                    "code": code,
                    "message_zh": message(code, "zh", **fields),
                    "message_en": message(code, "en", **fields),
                    "request_id": rid,
                }
            },
            ensure_ascii=False,
            allow_nan=False,
        ).encode("utf-8")
        head = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if www:
            head.append((b"www-authenticate", b"Bearer"))
        # the body was never read: close the connection rather than leave it to be drained
        head.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": head})
        await send({"type": "http.response.body", "body": body})

    async def _redirect_to_login(self, scope: Scope, send: Send) -> None:
        target = "/login?next=" + quote(str(scope.get("path", "/")), safe="/")
        head = [(b"location", target.encode("ascii")), (b"content-length", b"0"), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 303, "headers": head})
        await send({"type": "http.response.body", "body": b""})


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip()
    return ""


def _request_id(scope: Scope) -> str:
    state = scope.get("state") or {}
    rid = state.get("request_id") if isinstance(state, dict) else None
    return str(rid) if rid else uuid.uuid4().hex
