"""The province dashboard (issue 5): targets, benchmark league table, lines below the limit, project review.

Thin, like :mod:`carbonpeak.web.pages` (whose render, Who, page_ctx,
to_login, error_response and csrf_failed it uses).
"""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
