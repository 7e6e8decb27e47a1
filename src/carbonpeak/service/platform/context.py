"""The request context every service function receives, and the transaction helper."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from carbonpeak.model import Principal, Role

__all__ = ["SYSTEM", "Context", "new_request_id", "transactional"]

P = ParamSpec("P")
R = TypeVar("R")

#: The principal the CLI and the bootstrap act as (province scope, audited as "system").
SYSTEM = Principal(username="system", role=Role.PROVINCE, user_id=0, display_name="系统")


def new_request_id() -> str:
    return uuid.uuid4().hex


@dataclass
class Context:
    """Who is asking, in which request, over which database session."""

    db: Session
    principal: Principal
    request_id: str = field(default_factory=new_request_id)


def transactional(fn: Callable[Concatenate[Context, P], R]) -> Callable[Concatenate[Context, P], R]:
    """Run a mutating use case as one transaction: commit on return, roll back on error."""

    @functools.wraps(fn)
    def wrapper(ctx: Context, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = fn(ctx, *args, **kwargs)
            ctx.db.commit()
        except BaseException:
            ctx.db.rollback()
            raise
        return result

    return wrapper
