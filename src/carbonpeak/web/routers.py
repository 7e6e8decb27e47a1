"""Every page router, in mounting order."""

from __future__ import annotations

from fastapi import APIRouter

from carbonpeak.web import (
    account_pages,
    assignment_pages,
    dashboard,
    intake_pages,
    meter_pages,
    scenario_pages,
)
from carbonpeak.web.pages import router as core

__all__ = ["WEB_ROUTERS"]

WEB_ROUTERS: tuple[APIRouter, ...] = (
    core,
    dashboard.router,
    scenario_pages.router,
    intake_pages.router,
    assignment_pages.router,
    account_pages.router,
    meter_pages.router,
)
