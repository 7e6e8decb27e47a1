"""Pages of data intake and verification (issue 6): submissions, verifier and approval queues.

Thin, like :mod:`carbonpeak.web.pages` (whose render, Who, page_ctx,
to_login, error_response and csrf_failed it uses).
"""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
