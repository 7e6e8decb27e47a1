"""A computation's budget: a deadline and a stop signal, checked between its steps.

A thread cannot be killed, so a long computation stops by itself: the code that runs it
(:func:`carbonpeak.http.compute.off_loop`) gives the worker thread a :class:`Budget`, and
the service's long paths call :func:`check` between their steps (before a cold view is
computed, between a scenario's base table and its ensemble …). Once the deadline has
passed or the budget was stopped (the client went away, the request gave up waiting),
:func:`check` raises :class:`~carbonpeak.errors.ComputeAbandoned`, so the thread ends at
its next step instead of computing for nobody.

Outside a budget (the command line, a test calling a service) :func:`check` does nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from carbonpeak.errors import ComputeAbandoned

__all__ = ["Budget", "check", "current"]

T = TypeVar("T")

_CURRENT: ContextVar[Budget | None] = ContextVar("carbonpeak_budget", default=None)


@dataclass
class Budget:
    """*seconds* from now on *clock* (monotonic seconds; injectable for tests)."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    stop: threading.Event = field(default_factory=threading.Event)
    #: why the budget was stopped: "deadline" or "gone" (None while it runs)
    reason: str | None = None

    def __post_init__(self) -> None:
        self.deadline = self.clock() + self.seconds

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.clock() >= self.deadline

    def cancel(self, reason: str) -> None:
        """Stop the computation at its next :func:`check` (*reason*: ``deadline`` | ``gone``)."""
        self.reason = self.reason or reason
        self.stop.set()

    def error(self) -> ComputeAbandoned:
        """The error a stopped computation ends in."""
        if self.reason == "gone":
            return ComputeAbandoned("compute_abandoned")
        secs = round(self.seconds, 3)
        return ComputeAbandoned(seconds=f"{secs:g}", retry_after=max(1, round(self.seconds)))

    def check(self) -> None:
        """Raise :class:`ComputeAbandoned` if the budget was stopped or has run out."""
        if not self.stop.is_set() and self.expired():
            self.cancel("deadline")
        if self.stop.is_set():
            raise self.error()

    def run(self, fn: Callable[[], T]) -> T:
        """``fn()`` with this budget current (in the calling thread), checked before it starts."""
        with self.current():
            self.check()
            return fn()

    @contextmanager
    def current(self) -> Iterator[Budget]:
        token = _CURRENT.set(self)
        try:
            yield self
        finally:
            _CURRENT.reset(token)


def current() -> Budget | None:
    """The budget the running computation holds, or None."""
    return _CURRENT.get()


def check() -> None:
    """Stop here (:class:`ComputeAbandoned`) if the running computation's budget is spent or
    stopped; nothing outside a budget."""
    b = _CURRENT.get()
    if b is not None:
        b.check()
