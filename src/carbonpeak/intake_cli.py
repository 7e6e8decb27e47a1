"""Command-line faces: carbonpeak template xlsx, carbonpeak import, carbonpeak export (issue 6)."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main carbonpeak app."""
