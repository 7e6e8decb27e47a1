"""API — Data intake (issue 6): templates, imports, versions, diffs, exports."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
