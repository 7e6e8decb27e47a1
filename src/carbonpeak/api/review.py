"""API — Benchmarks, energy-saving review, project register, registries, dashboard data (issue 5)."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
