"""Run a request's computation off the event loop, with a deadline, and stop it when nobody waits.

:func:`off_loop` sends ``fn`` to a worker thread under a
:class:`~carbonpeak.service.platform.budget.Budget` of ``CARBONPEAK_COMPUTE_DEADLINE_SECONDS``
(setting ``compute_deadline_seconds``, default 60) and watches, on the loop, the deadline and
the client's connection. Whichever ends first decides:

- the computation: its value (or its error) is the answer;
- the deadline: the budget is stopped and the request answers 503 ``compute_deadline``
  with ``Retry-After`` (bilingual, like every error);
- the client went away: the budget is stopped; nobody reads the answer.

In both of the last cases the thread is abandoned: it ends at the computation's next
:func:`~carbonpeak.service.platform.budget.check` (the service's long paths call it between
steps), instead of computing for nobody while fifty new requests queue behind it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import anyio
from sqlalchemy.orm import Session

from carbonpeak.service.platform.budget import Budget
from carbonpeak.service.platform.context import Context

__all__ = ["Disconnectable", "off_loop"]

T = TypeVar("T")

#: Seconds between two looks at the deadline and the connection.
POLL_SECONDS = 0.05
#: The clock deadlines are measured on (monotonic seconds); tests replace it.
CLOCK: Callable[[], float] = time.monotonic


class Disconnectable(Protocol):
    """What :func:`off_loop` needs of a request: whether its client went away."""

    async def is_disconnected(self) -> bool: ...


async def off_loop(
    fn: Callable[[], T],
    *,
    seconds: float,
    request: Disconnectable | None = None,
    clock: Callable[[], float] | None = None,
    poll_seconds: float | None = None,
    budget: Budget | None = None,
    ctx: Context | None = None,
) -> T:
    """``fn()`` in a worker thread under a budget of *seconds* on *clock* (default
    :data:`CLOCK`); raises :class:`~carbonpeak.errors.ComputeAbandoned` (503) past the
    deadline or when *request*'s client has gone, and the thread stops at its next budget
    check.

    With *ctx*, the computation runs on a session of its own on ctx's store (``ctx.db`` is
    that session while it runs), opened and closed by its thread: a request that gives up
    ends its own session at its teardown without touching the one an abandoned thread may
    still be reading."""
    b = budget or Budget(seconds, clock or CLOCK)

    def work() -> T:
        if ctx is None:
            return b.run(fn)
        original = ctx.db
        own = Session(bind=original.get_bind(), expire_on_commit=False)
        ctx.db = own
        try:
            return b.run(fn)
        finally:
            ctx.db = original
            own.close()

    poll = POLL_SECONDS if poll_seconds is None else poll_seconds
    box: dict[str, Any] = {}

    async def run(scope: anyio.CancelScope) -> None:
        try:
            box["value"] = await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        except Exception as exc:  # the computation's own error: the request's answer
            box["error"] = exc
        scope.cancel()

    async with anyio.create_task_group() as tg:
        tg.start_soon(run, tg.cancel_scope)
        while True:
            if b.expired():
                b.cancel("deadline")
                break
            if request is not None and await request.is_disconnected():
                b.cancel("gone")
                break
            await anyio.sleep(poll)
        tg.cancel_scope.cancel()
    if "value" in box:
        return box["value"]  # type: ignore[no-any-return]
    if "error" in box:
        raise box["error"]
    raise b.error()
