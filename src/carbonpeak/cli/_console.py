"""What every command-line area shares: the consoles and the zh/en error printer."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from carbonpeak.errors import CarbonpeakError, InputError, message

__all__ = ["console", "err_console", "handles_errors", "report"]

P = ParamSpec("P")
R = TypeVar("R")

#: Width of a table written to a file or a pipe (not a terminal): wide enough that a credit
#: code, a name and its figures stay on one line instead of wrapping at Rich's default 80.
PIPE_WIDTH = 200


def _width(stream: object) -> int | None:
    """None for a terminal (Rich follows it, or ``COLUMNS``); for a file or a pipe
    :data:`PIPE_WIDTH`, or ``COLUMNS`` where that is wider."""
    isatty = getattr(stream, "isatty", None)
    if callable(isatty) and isatty():
        return None
    columns = os.environ.get("COLUMNS", "")
    return max(PIPE_WIDTH, int(columns)) if columns.isdigit() else PIPE_WIDTH


console = Console(width=_width(sys.stdout))
err_console = Console(stderr=True, width=_width(sys.stderr))


def report(exc: CarbonpeakError) -> None:
    """Print *exc* in Chinese and English, then every located problem."""
    err_console.print(f"[bold red]错误[/] {exc.message_zh}", soft_wrap=True)
    err_console.print(f"[bold red]Error[/] {message(exc.code, 'en', **exc.fields)}", soft_wrap=True)
    for p in exc.problems if isinstance(exc, InputError) else []:
        err_console.print(f"  [{p.location() or '-'}]", markup=False)
        err_console.print(f"    {p.message_zh}", markup=False, soft_wrap=True)
        err_console.print(f"    {p.message_en}", markup=False, soft_wrap=True)


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Print carbonpeak errors in zh/en (with their locations) and exit 2."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except CarbonpeakError as exc:
            report(exc)
            raise typer.Exit(2) from exc

    return wrapper
