"""What every command-line area shares: the consoles and the zh/en error printer."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from carbonpeak.errors import CarbonpeakError, InputError, message

__all__ = ["console", "err_console", "handles_errors", "report"]

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True)


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
