"""Every API router, in mounting order (the app and the route-matrix test read this)."""

from __future__ import annotations

from fastapi import APIRouter

from carbonpeak.api import accounts, assignments, intake, meters, review, scenarios, workflow
from carbonpeak.api.routes import router as core

__all__ = ["API_ROUTERS"]

API_ROUTERS: tuple[APIRouter, ...] = (
    core,
    intake.router,
    workflow.router,
    review.router,
    scenarios.router,
    assignments.router,
    accounts.router,
    meters.router,
)
