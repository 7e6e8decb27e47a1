"""Long computations: a deadline, and no work for a client that has gone (carbonpeak.http.compute).

No wall-clock assertion: the deadline is passed by an injected clock that jumps once the
computation has started, and the steps of the computations are paced by events.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.errors import ComputeAbandoned
from carbonpeak.http import compute
from carbonpeak.http.background import serve_in_background
from carbonpeak.service.outlook import targets as targets_service
from carbonpeak.service.platform import budget
from carbonpeak.settings import Settings
from tests.conftest import DEMO_PASSWORDS, api_token

WAIT = 30.0  # a bound on waiting for the test's own threads, never an assertion on time


class Steps:
    """A two-step computation paced by events: it records what it did and how it ended."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.proceed = threading.Event()
        self.finished = threading.Event()
        self.done: list[str] = []
        self.ended: BaseException | None = None
        self.budget: budget.Budget | None = None

    def __call__(self, *_args: Any) -> list[Any]:
        try:
            self.budget = budget.current()
            self.started.set()
            self.done.append("first step")
            assert self.proceed.wait(WAIT)
            budget.check()  # between the steps
            self.done.append("second step")
            return []
        except BaseException as exc:
            self.ended = exc
            raise
        finally:
            self.finished.set()


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> Iterator[Steps]:
    s = Steps()
    # the clock jumps a day ahead once the computation has started: its deadline has passed
    monkeypatch.setattr(compute, "CLOCK", lambda: 86_400.0 if s.started.is_set() else 0.0)
    yield s
    s.proceed.set()


def test_a_computation_past_its_deadline_is_a_bilingual_503_and_stops(
    settings: Settings, steps: Steps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(targets_service, "report", steps)
    app = create_app(settings.model_copy(update={"compute_deadline_seconds": 5.0}))
    with TestClient(app) as c:
        r = c.get("/api/v1/targets", headers=api_token(c, "province"))
        assert r.status_code == 503
        assert r.headers["retry-after"] == "5"
        assert r.headers["x-request-id"]
        err = r.json()["error"]
        assert err["code"] == "compute_deadline"
        assert "5 秒" in err["message_zh"]
        assert "5 s" in err["message_en"]
        steps.proceed.set()
        assert steps.finished.wait(WAIT)
    assert steps.done == ["first step"]  # abandoned at its next check: no second step
    assert isinstance(steps.ended, ComputeAbandoned)


class Client:
    """A request whose client leaves when told to."""

    def __init__(self) -> None:
        self.gone = threading.Event()

    async def is_disconnected(self) -> bool:
        return self.gone.is_set()


def test_a_computation_whose_client_left_stops_at_its_next_step() -> None:
    steps, client = Steps(), Client()

    async def main() -> ComputeAbandoned:
        async def leave() -> None:
            await anyio.to_thread.run_sync(steps.started.wait, WAIT)
            client.gone.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(leave)
            with pytest.raises(ComputeAbandoned) as err:
                await compute.off_loop(steps, seconds=3600, request=client, poll_seconds=0.001)
        return err.value

    err = anyio.run(main)
    assert err.code == "compute_abandoned"
    assert err.http_status == 503
    assert not steps.finished.is_set() or steps.done == ["first step"]
    steps.proceed.set()  # the abandoned thread goes on … to its next check, and ends there
    assert steps.finished.wait(WAIT)
    assert steps.done == ["first step"]
    assert isinstance(steps.ended, ComputeAbandoned)


def test_a_computation_that_ends_in_time_answers_and_a_budget_outside_a_request_is_inert() -> None:
    assert anyio.run(lambda: compute.off_loop(lambda: 42, seconds=3600, request=Client())) == 42
    budget.check()  # outside any budget: nothing happens
    b = budget.Budget(10, clock=lambda: 0.0)
    b.cancel("gone")
    with pytest.raises(ComputeAbandoned), b.current():
        budget.check()


def test_a_live_request_whose_client_hung_up_stops_its_computation(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through a real server and socket: the client sends the request and closes the
    connection while the cold view computes; the server notices, stops the budget, and the
    computation ends at its next step instead of running for nobody."""
    steps = Steps()
    monkeypatch.setattr(targets_service, "report", steps)
    with serve_in_background(create_app(settings)) as base:
        r = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "province", "password": DEMO_PASSWORDS["province"]}
        )
        token = r.json()["access_token"]
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as s:
            head = f"GET /api/v1/targets HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n"
            s.sendall(head.encode())
            assert steps.started.wait(WAIT)
        # the client is gone; wait (bounded) until the server has stopped the budget
        assert steps.budget is not None
        assert steps.budget.stop.wait(WAIT)
        assert steps.budget.reason == "gone"
        steps.proceed.set()
        assert steps.finished.wait(WAIT)
    assert steps.done == ["first step"]
    assert isinstance(steps.ended, ComputeAbandoned)
