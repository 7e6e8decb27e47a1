"""MQTT adapters (paho-mqtt 2.x): a persistent QoS 1 subscriber and a publisher.

The subscriber connects with a fixed client id and ``clean_session=False`` and subscribes to
``carbonpeak/+/+`` at QoS 1 with **manual acknowledgement**: a message is acknowledged only
after the batch holding it has been committed (:meth:`Subscriber.ack`), so a subscriber that
stops (or is killed) before committing gets the message again from the broker's session on
its next start, and nothing is lost; the store's upsert on (meter, ts) makes the redelivery
harmless. paho-mqtt is imported when a client is made, so the rest of the platform runs
without it (:func:`available`).
"""

from __future__ import annotations

import importlib
import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["TOPIC_FILTER", "Message", "Subscriber", "available", "forget_session", "publish"]

TOPIC_FILTER: Final = "carbonpeak/+/+"


def _client_module() -> Any:
    return importlib.import_module("paho.mqtt.client")


def available() -> bool:
    """True when paho-mqtt can be imported."""
    try:
        _client_module()
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class Message:
    """A received message: topic, payload and what acknowledging it needs."""

    topic: str
    payload: bytes
    mid: int
    qos: int


class Subscriber:
    """A persistent-session QoS 1 subscriber feeding a queue; acknowledge with :meth:`ack`."""

    def __init__(self, host: str, port: int, client_id: str, topic: str = TOPIC_FILTER) -> None:
        mqtt = _client_module()
        self.messages: queue.Queue[Message] = queue.Queue()
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self._topic = topic
        self._client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            protocol=mqtt.MQTTv311,
            manual_ack=True,
        )
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.on_subscribe = self._on_subscribe
        self._client.reconnect_delay_set(min_delay=1, max_delay=5)
        self._host, self._port = host, port

    def _on_connect(self, client: Any, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if not getattr(reason, "is_failure", False):
            client.subscribe(self._topic, qos=1)
            self.connected.set()

    def _on_subscribe(self, *_args: Any) -> None:
        self.subscribed.set()

    def _on_disconnect(self, *_args: Any) -> None:
        self.connected.clear()
        self.subscribed.clear()

    def _on_message(self, _client: Any, _userdata: Any, msg: Any) -> None:
        self.messages.put(Message(msg.topic, bytes(msg.payload), int(msg.mid), int(msg.qos)))

    def start(self, timeout: float = 10.0) -> bool:
        """Connect and run the network loop in a background thread; True once connected."""
        self._client.connect_async(self._host, self._port, keepalive=30)
        self._client.loop_start()
        return self.connected.wait(timeout)

    def ack(self, messages: Iterable[Message]) -> None:
        """Acknowledge *messages* (after their batch is committed)."""
        for m in messages:
            if m.qos > 0:
                self._client.ack(m.mid, m.qos)

    def stop(self) -> None:
        """Disconnect (the broker keeps the session and any unacknowledged message)."""
        self._client.disconnect()
        self._client.loop_stop()


def publish(
    messages: Iterable[tuple[str, bytes]], host: str, port: int, client_id: str = "", timeout: float = 60.0
) -> int:
    """Publish (topic, payload) pairs at QoS 1 and wait until the broker has them all; returns
    the number published."""
    mqtt = _client_module()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311)
    client.max_inflight_messages_set(1000)
    client.connect(host, port, keepalive=30)
    client.loop_start()
    try:
        infos = [client.publish(topic, payload, qos=1) for topic, payload in messages]
        for info in infos:
            info.wait_for_publish(timeout)
    finally:
        client.disconnect()
        client.loop_stop()
    return len(infos)


def forget_session(host: str, port: int, client_id: str) -> None:
    """End the broker's persistent session of *client_id* (a clean-session connect)."""
    mqtt = _client_module()
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True, protocol=mqtt.MQTTv311
    )
    client.connect(host, port, keepalive=10)
    client.loop_start()
    try:
        client.disconnect()
    finally:
        client.loop_stop()
