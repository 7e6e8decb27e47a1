"""Command-line faces: carbonpeak submission list|show|submit|verify|approve|return (issue 6)."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main carbonpeak app."""
