"""The in-flight limit, the standing-queue rule behind the proxy, and the event loop's queue check."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from shared_model.admission import (
    QUEUE_TARGET_MS,
    InflightLimit,
    LoopDelay,
    StandingQueue,
    is_limited,
    waited_ms,
)
from shared_model.errors import Overloaded
from shared_model.settings import load_settings


def test_the_limit_admits_up_to_its_count_and_gives_places_back():
    limit = InflightLimit(2)
    assert limit.try_enter()
    assert limit.try_enter()
    assert not limit.try_enter()
    limit.leave()
    assert limit.try_enter()
    assert limit.inflight == 2


def test_admitted_raises_overloaded_past_the_limit_and_releases_on_error():
    limit = InflightLimit(1)
    with pytest.raises(RuntimeError), limit.admitted():
        raise RuntimeError("the request failed")
    assert limit.inflight == 0
    with limit.admitted(), pytest.raises(Overloaded), limit.admitted():
        pass


def test_threads_never_exceed_the_limit():
    limit = InflightLimit(3)
    most = 0
    guard = threading.Lock()

    def worker() -> None:
        nonlocal most
        for _ in range(200):
            if limit.try_enter():
                with guard:
                    most = max(most, limit.inflight)
                limit.leave()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most <= 3
    assert limit.inflight == 0


def test_only_prediction_routes_are_limited():
    assert is_limited("/v1/predict")
    assert is_limited("/v1/predict/batch")
    assert not is_limited("/health/live")
    assert not is_limited("/metrics")


def _busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_one_stall_refuses_nothing_but_a_burst_behind_it_is_refused():
    async def scenario() -> tuple[bool, list[bool]]:
        delay = LoopDelay()
        delay.start()
        await asyncio.sleep(0.02)
        _busy(0.06)  # a garbage collection: the timer is overdue, one request starts
        alone = delay.admit(max_queue_s=0.025, max_burst=4)
        await asyncio.sleep(0.01)
        _busy(0.06)  # a long iteration holding a burst of requests
        burst = [delay.admit(max_queue_s=0.025, max_burst=4) for _ in range(8)]
        delay.stop()
        return alone, burst

    alone, burst = asyncio.run(scenario())
    assert alone
    assert burst == [True] * 4 + [False] * 4


def test_sustained_lateness_refuses():
    async def scenario() -> bool:
        delay = LoopDelay(tick_s=0.002, window=3)
        delay.start()
        await asyncio.sleep(0.01)
        for _ in range(10):
            _busy(0.03)  # every iteration holds the loop 30 ms, with no idle moment between: a queue
            await asyncio.sleep(0)
        admitted = delay.admit(max_queue_s=0.025, max_burst=100)
        delay.stop()
        return admitted

    assert not asyncio.run(scenario())


def stamp(waited_ms_ago: float) -> str:
    return f"t={time.time() - waited_ms_ago / 1000:.3f}"


@pytest.mark.parametrize("header", [None, "", "1733112345.123", "t=", "t=soon", "t=nan", "t=inf"])
def test_a_missing_or_malformed_stamp_is_no_wait_and_admits(header):
    assert waited_ms(header, time.time()) is None
    assert StandingQueue().admits(header, busy=True)


def test_the_wait_is_read_from_the_proxys_stamp_and_never_negative():
    assert waited_ms("t=100.250", 100.5) == pytest.approx(250.0)
    assert waited_ms("t=200.000", 100.0) == 0.0


def test_a_queue_that_drains_only_delays_up_to_twice_the_target():
    queue = StandingQueue(target_ms=25, interval_ms=100)
    assert queue.max_wait_ms == 50
    assert queue.admits(busy=True, stamp=stamp(1))
    assert queue.admits(
        busy=True, stamp=stamp(40)
    )  # a burst: above the target, but the queue was short a moment ago
    assert not queue.admits(busy=True, stamp=stamp(60))  # past twice the target: too late whatever the queue


def test_a_standing_queue_refuses_what_waited_past_the_target_and_keeps_serving_the_rest():
    queue = StandingQueue(target_ms=25, interval_ms=100)
    assert queue.admits(busy=True, stamp=stamp(40))  # the first long wait starts the clock
    time.sleep(0.15)  # a whole interval in which nothing waited less than the target
    assert not queue.admits(busy=True, stamp=stamp(40))
    assert queue.admits(busy=True, stamp=stamp(1))  # short waits pass, and end the standing state
    assert queue.admits(busy=True, stamp=stamp(40))


def test_an_idle_spell_is_no_queue():
    queue = StandingQueue(target_ms=25, interval_ms=100)
    assert queue.admits(busy=True, stamp=stamp(1))
    time.sleep(0.15)  # nothing arrives for longer than an interval
    assert queue.admits(
        busy=True, stamp=stamp(40)
    )  # the first late one after it is a burst, not a standing queue


def test_a_wait_with_nothing_else_in_the_worker_is_the_hosts_not_a_queue():
    queue = StandingQueue(target_ms=25, interval_ms=100)
    assert queue.admits(stamp(40), busy=True)
    time.sleep(0.15)
    assert not queue.admits(stamp(400), busy=True)
    assert queue.admits(stamp(400), busy=False)


def test_the_settings_default_is_the_queue_target():
    assert load_settings({}).MAX_QUEUE_MS == QUEUE_TARGET_MS
