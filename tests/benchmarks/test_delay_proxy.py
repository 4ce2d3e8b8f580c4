"""The delaying proxy in front of the feature store: it adds its delay to each round trip and keeps the bytes."""

from __future__ import annotations

import time

import redis

from benchmarks.servers import running_delay_proxy
from shared_model.store_server import running_store

DELAY_MS = 20.0
ROUND_TRIPS = 10


def round_trip_ms(port: int) -> float:
    """The fastest of ROUND_TRIPS PINGs through `port` (the least disturbed by a loaded machine)."""
    with redis.Redis(port=port, socket_timeout=5) as client:
        client.ping()
        best = float("inf")
        for _ in range(ROUND_TRIPS):
            started = time.perf_counter()
            client.ping()
            best = min(best, (time.perf_counter() - started) * 1000)
        return best


def test_the_proxy_adds_its_delay_to_each_round_trip_and_passes_the_bytes_unchanged() -> None:
    with running_store() as store:
        direct = round_trip_ms(store.port)
        with running_delay_proxy(store.port, DELAY_MS) as port:
            delayed = round_trip_ms(port)
            with redis.Redis(port=port, socket_timeout=5) as client:
                value = bytes(range(256)) * 1024  # 256 KiB: several chunks, in order
                client.set("k", value)
                assert client.get("k") == value
    assert delayed >= DELAY_MS
    assert delayed >= direct + DELAY_MS * 0.9
