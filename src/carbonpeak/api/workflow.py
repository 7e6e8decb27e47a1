"""API — Submission workflow and evidence (issue 6): submit, verify, adjust, approve, return."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
