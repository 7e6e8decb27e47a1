"""Cached JSON for the province views: the body is encoded once per data version.

The service caches a view's result by (view, arguments, the caller's scope, the store's
data version) (:func:`carbonpeak.service.inventories.official.cached`); this keeps the *encoded* body
the same way, so a warm request costs a cache look-up, not a walk of the result. Strict
JSON: NaN and ±inf become ``null``; NumPy scalars become plain numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Request, Response

from carbonpeak.http.compute import off_loop
from carbonpeak.service.inventories import official
from carbonpeak.service.platform.context import Context
from carbonpeak.settings import get_settings

__all__ = ["cached_json", "cached_json_off_loop", "encode"]


def _plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if isinstance(x, bool) or x is None or isinstance(x, str | int):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    item = getattr(x, "item", None)  # NumPy scalars
    if callable(item):
        return _plain(item())
    return str(x)


def encode(obj: Any) -> bytes:
    """*obj* as strict JSON (UTF-8)."""
    return json.dumps(_plain(obj), ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def cached_json(ctx: Context, name: str, args: Hashable, build: Callable[[], Any]) -> Response:
    """A JSON response whose body is ``build()`` encoded, cached like the view itself."""
    return Response(content=_body(ctx, name, args, build), media_type="application/json")


def _body(ctx: Context, name: str, args: Hashable, build: Callable[[], Any]) -> bytes:
    """``build()`` encoded, cached like the view itself."""
    return official.cached(ctx, f"{name}:json", args, lambda: encode(build()))


async def cached_json_off_loop(
    ctx: Context, name: str, args: Hashable, build: Callable[[], Any], *, request: Request | None = None
) -> Response:
    """:func:`cached_json` for an ``async`` route: a cached body is answered on the event
    loop (the data version read, a dictionary look-up); a view to compute goes to a worker
    thread, so the loop keeps serving while it runs (one computation per view at a time,
    :func:`carbonpeak.service.inventories.official.cached`), under the compute deadline
    and stopped when *request*'s client goes away (:func:`carbonpeak.http.compute.off_loop`)."""
    try:
        body = official.peek(ctx, f"{name}:json", args)
    finally:
        ctx.db.rollback()  # no pooled connection held across the await (see LoopCtx)
    if body is None:
        settings = request.app.state.settings if request is not None else get_settings()
        body = await off_loop(
            lambda: _body(ctx, name, args, build),
            seconds=settings.compute_deadline_seconds,
            request=request,
            ctx=ctx,
        )
    return Response(content=body, media_type="application/json")
