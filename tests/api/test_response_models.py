"""Every API route declares what it answers: a typed result model (``response_model``, a
pydantic schema or a list of them — never a bare ``dict``), a file download with its media
types (``responses=``), or no body at all (204); and the OpenAPI document carries it."""

from __future__ import annotations

import dataclasses
import typing

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from carbonpeak.api.routers import API_ROUTERS
from carbonpeak.app import create_app
from carbonpeak.settings import Settings

ROUTES = [r for router in API_ROUTERS for r in router.routes if isinstance(r, APIRoute)]


def _typed(model: object) -> bool:
    """A pydantic model or dataclass, or a list/tuple of one."""
    if typing.get_origin(model) in (list, tuple):
        args = [a for a in typing.get_args(model) if a is not Ellipsis]
        return len(args) == 1 and _typed(args[0])
    return isinstance(model, type) and (issubclass(model, BaseModel) or dataclasses.is_dataclass(model))


def _declares_file(route: APIRoute) -> bool:
    ok = route.responses.get(200) or route.responses.get("200") or {}
    return bool(ok.get("content"))


def _label(route: APIRoute) -> str:
    return f"{','.join(sorted(route.methods))} {route.path}"


def test_every_api_route_is_typed() -> None:
    untyped = [
        _label(r)
        for r in ROUTES
        if r.status_code != 204 and not _typed(r.response_model) and not _declares_file(r)
    ]
    assert len(ROUTES) > 60
    assert untyped == []


@pytest.mark.parametrize(
    ("model", "typed"),
    [
        (dict[str, typing.Any], False),
        (list[dict[str, typing.Any]], False),
        (None, False),
        (BaseModel, True),
        (list[BaseModel], True),
    ],
)
def test_the_checker_tells_typed_from_untyped(model: object, typed: bool) -> None:
    assert _typed(model) is typed


def test_the_openapi_document_describes_every_answer(settings: Settings) -> None:
    spec = create_app(settings).openapi()
    missing = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            ok = {s: r for s, r in op["responses"].items() if s.startswith("2")}
            described = any(
                "$ref" in str(r.get("content", {}))
                or "items" in str(r.get("content", {}))
                or s == "204"
                or "binary" in str(r.get("content", {}))
                for s, r in ok.items()
            )
            if not described:
                missing.append(f"{method.upper()} {path}")
            for status in ("401", "403", "404", "422"):  # the project's one bilingual error body
                assert "ErrorPublic" in str(op["responses"].get(status)), (method, path, status)
    assert missing == []
    assert "HTTPValidationError" not in spec["components"]["schemas"]  # FastAPI's default body
