"""Command-line faces: carbonpeak review, carbonpeak project, carbonpeak registry (issue 5)."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main carbonpeak app."""
