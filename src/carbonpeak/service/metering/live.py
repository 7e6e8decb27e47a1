"""Live readings over MQTT: the listener behind ``carbonpeak meters listen`` and the publisher
behind ``carbonpeak meters simulate --publish``.

The listener takes messages from a persistent-session QoS 1 subscription
(:class:`carbonpeak.io.mqtt.Subscriber`), parses each (topic ``carbonpeak/<enterprise>/<meter>``,
JSON or compact CSV payload), stores a batch through :func:`~carbonpeak.service.metering.readings.ingest`
(non-strict: bad readings are counted by reason, the good ones stored; one audit event per
batch) and acknowledges the batch's messages only after the commit. A malformed message is
rejected with its reason and acknowledged (it would never parse); the listener keeps running.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd

from carbonpeak.io import mqtt
from carbonpeak.io.meters import parse_payload, topic_parts
from carbonpeak.model import Principal
from carbonpeak.service.metering.readings import ingest
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.store.db import sessionmaker_for

__all__ = ["ListenStats", "forget_session", "listen", "mqtt_available", "payloads", "publish_readings"]

log = logging.getLogger(__name__)


def mqtt_available() -> bool:
    """True when the MQTT client library (paho-mqtt) is installed."""
    return mqtt.available()


@dataclass
class ListenStats:
    """What the listener has done: messages and readings received, stored, rejected by reason."""

    messages: int = 0
    readings: int = 0
    stored: int = 0
    rejected: int = 0
    batches: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


def _parse(batch: list[mqtt.Message], stats: ListenStats) -> pd.DataFrame:
    rows: list[tuple[int, str, str, int, float, str]] = []
    for k, m in enumerate(batch):
        where = topic_parts(m.topic)
        if where is None:
            stats.rejected += 1
            stats.reasons["payload_topic"] += 1
            continue
        try:
            got = parse_payload(m.payload)
        except ValueError as exc:
            stats.rejected += 1
            stats.reasons[str(exc)] += 1
            continue
        rows.extend((k + 1, where[0], where[1], r.ts, r.value, r.quality) for r in got)
    return pd.DataFrame(rows, columns=["row", "enterprise", "meter", "ts", "value", "quality"])


def listen(
    url: str,
    host: str = "127.0.0.1",
    port: int = 1883,
    client_id: str = "carbonpeak-listener",
    *,
    stop: threading.Event,
    batch_size: int = 5000,
    flush_s: float = 0.5,
    principal: Principal = SYSTEM,
    on_batch: Callable[[ListenStats], None] | None = None,
    ready: threading.Event | None = None,
) -> ListenStats:
    """Subscribe and store readings until *stop* is set; returns the statistics. *ready* is
    set once the subscription holds (messages published from then on are never lost)."""
    sub = mqtt.Subscriber(host, port, client_id)
    stats = ListenStats()
    if not sub.start():
        log.warning("MQTT broker %s:%s not reachable yet; retrying in the background", host, port)
    if ready is not None and sub.subscribed.wait(10.0):
        ready.set()
    maker = sessionmaker_for(url)
    try:
        while not stop.is_set():
            batch = _drain(sub.messages, batch_size, flush_s, stop)
            if not batch:
                continue
            stats.messages += len(batch)
            frame = _parse(batch, stats)
            stats.readings += len(frame)
            try:
                with maker() as db:
                    result = ingest(
                        Context(db=db, principal=principal, request_id="mqtt-listener"),
                        frame,
                        "mqtt",
                        strict=False,
                    )
            except Exception:  # a store failure: keep the messages unacknowledged, try again
                log.exception("storing an MQTT batch failed; it will be redelivered")
                for m in batch:
                    sub.messages.put(m)
                time.sleep(1.0)
                continue
            sub.ack(batch)
            stats.stored += result.stored
            stats.rejected += result.rejected
            stats.reasons.update(result.reasons)
            stats.batches += 1
            if on_batch is not None:
                on_batch(stats)
    finally:
        sub.stop()
    return stats


def _drain(
    q: queue.Queue[mqtt.Message], size: int, flush_s: float, stop: threading.Event
) -> list[mqtt.Message]:
    out: list[mqtt.Message] = []
    deadline = time.monotonic() + flush_s
    while len(out) < size and not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            out.append(q.get(timeout=min(left, 0.1)))
        except queue.Empty:
            continue
    return out


def payloads(frame: pd.DataFrame, per_message: int = 1, fmt: str = "csv") -> Iterator[tuple[str, bytes]]:
    """(topic, payload) pairs for the readings of *frame* (``enterprise``, ``meter``, ``ts``,
    ``value``, ``quality``): up to *per_message* readings of one meter per message, as
    compact CSV lines (``ts,value,quality``) or JSON."""
    for (ent, meter), g in frame.groupby(["enterprise", "meter"], sort=False):
        topic = f"carbonpeak/{ent}/{meter}"
        ts, val, q = g["ts"].to_numpy(), g["value"].to_numpy(), g["quality"].to_numpy()
        for i in range(0, len(g), per_message):
            part = range(i, min(i + per_message, len(g)))
            if fmt == "json":
                doc = [{"ts": int(ts[j]), "value": float(val[j]), "quality": str(q[j])} for j in part]
                yield topic, json.dumps(doc[0] if len(doc) == 1 else {"readings": doc}).encode()
            else:
                yield topic, "\n".join(f"{int(ts[j])},{float(val[j])!r},{q[j]}" for j in part).encode()


def publish_readings(
    frame: pd.DataFrame, host: str = "127.0.0.1", port: int = 1883, per_message: int = 1, fmt: str = "csv"
) -> int:
    """Publish *frame*'s readings at QoS 1; returns the number of messages."""
    return mqtt.publish(payloads(frame, per_message, fmt), host, port)


def forget_session(client_id: str, host: str = "127.0.0.1", port: int = 1883) -> None:
    """End the broker's persistent session of *client_id* (what it queued is dropped)."""
    mqtt.forget_session(host, port, client_id)
