"""MQTT round trip against the local Mosquitto (127.0.0.1:1883): readings published are
stored; a subscriber restart loses nothing (QoS 1, persistent session, messages published
while it was down arrive when it is back); a batch sent twice is stored once; a malformed
payload or an unknown meter is rejected with its reason, counted, and the listener keeps
running. Skipped only when paho-mqtt is not installed."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pandas as pd
import pytest
import sqlalchemy as sa

from carbonpeak.io import mqtt
from carbonpeak.service.metering import live
from carbonpeak.store.db import engine_for

pytest.importorskip("paho.mqtt.client")

PBZN = "91430400XU6TWF13XG"
T0 = 1_764_864_000  # 2025-12-05 00:00 Beijing time


def _frame(meter: str, first: int, n: int) -> pd.DataFrame:
    ks = range(first, first + n)
    return pd.DataFrame(
        {
            "enterprise": PBZN,
            "meter": meter,
            "ts": [T0 + 900 * k for k in ks],
            "value": [100.0 + k for k in ks],
            "quality": "good",
        }
    )


def _count(url: str) -> int:
    with engine_for(url).connect() as c:
        q = "SELECT count(*) FROM meter_reading WHERE ts >= :a AND ts < :b"
        return int(c.execute(sa.text(q), {"a": T0, "b": T0 + 86400}).scalar_one())


def _wait(cond: Callable[[], bool], timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


class Listener:
    def __init__(self, url: str, client_id: str) -> None:
        self.stop, self.ready = threading.Event(), threading.Event()
        self.stats = live.ListenStats()
        self.thread = threading.Thread(
            target=self._run, args=(url, client_id), daemon=True, name=f"listener-{client_id}"
        )

    def _run(self, url: str, client_id: str) -> None:
        self.stats = live.listen(
            url, client_id=client_id, stop=self.stop, ready=self.ready, flush_s=0.2, on_batch=self._seen
        )

    def _seen(self, s: live.ListenStats) -> None:
        self.stats = s

    def __enter__(self) -> Listener:
        self.thread.start()
        assert self.ready.wait(15), "the listener did not subscribe"
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join(15)


@pytest.fixture
def client_id() -> Iterator[str]:
    cid = f"cp-test-{uuid.uuid4().hex[:12]}"
    yield cid
    mqtt.forget_session("127.0.0.1", 1883, cid)


def test_readings_survive_a_subscriber_restart_and_duplicates_are_stored_once(
    demo_url: str, client_id: str
) -> None:
    first, second = _frame("M-001", 0, 20), _frame("M-001", 20, 20)
    with Listener(demo_url, client_id) as a:
        live.publish_readings(first, fmt="json")
        assert _wait(lambda: _count(demo_url) == 20)
        mqtt.publish(
            [(f"carbonpeak/{PBZN}/M-001", b"{not json"), (f"carbonpeak/{PBZN}/NOPE", b"1764864000,1.0")],
            "127.0.0.1",
            1883,
        )
        assert _wait(lambda: a.stats.rejected == 2)
        assert dict(a.stats.reasons) == {"payload_malformed": 1, "unknown_meter": 1}
    # the subscriber is down: the broker keeps what is published for its session (QoS 1)
    live.publish_readings(second, per_message=5)
    time.sleep(0.3)
    assert _count(demo_url) == 20
    with Listener(demo_url, client_id) as b:
        assert _wait(lambda: _count(demo_url) == 40)
        live.publish_readings(pd.concat([first, second]), per_message=10)  # the same again
        assert _wait(lambda: b.stats.messages >= 4 + 4)
        assert _count(demo_url) == 40


def test_a_message_not_acknowledged_before_a_stop_comes_again(client_id: str) -> None:
    """The listener acknowledges only after its commit: a subscriber that stops (or dies)
    between receipt and commit gets the message again from its persistent session."""
    first = mqtt.Subscriber("127.0.0.1", 1883, client_id)
    assert first.start() and first.subscribed.wait(10)
    mqtt.publish([(f"carbonpeak/{PBZN}/M-001", b"1764864000,1.0")], "127.0.0.1", 1883)
    got = first.messages.get(timeout=10)
    first.stop()  # no ack: as if the process died before committing
    second = mqtt.Subscriber("127.0.0.1", 1883, client_id)
    try:
        assert second.start()
        again = second.messages.get(timeout=10)
        assert (again.topic, again.payload) == (got.topic, got.payload)
        second.ack([again])
    finally:
        second.stop()
    third = mqtt.Subscriber("127.0.0.1", 1883, client_id)
    try:
        assert third.start() and third.subscribed.wait(10)
        time.sleep(0.5)
        assert third.messages.empty()  # acknowledged: not delivered a third time
    finally:
        third.stop()
