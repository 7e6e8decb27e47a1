"""API — Scenarios (issue 7): projections, peak, Monte Carlo, LMDI, MACC."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
