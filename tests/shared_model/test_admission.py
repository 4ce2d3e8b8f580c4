"""The in-flight limit, the standing-queue rule behind the proxy, and the event loop's queue check."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from shared_model.admission import Admission, InflightLimit, is_limited
from shared_model.errors import Overloaded
from shared_model.loop_delay import LoopDelay
from shared_model.settings import load_settings
from shared_model.standing_queue import QUEUE_TARGET_MS, REMEMBERED_INTERVALS, StandingQueue, waited_ms


def test_the_limit_admits_up_to_its_count_and_gives_places_back():
    limit = InflightLimit(2)
    assert limit.try_enter()
    assert limit.try_enter()
    assert not limit.try_enter()
    limit.leave()
    assert limit.try_enter()
    assert limit.inflight == 2


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
    assert StandingQueue().admits(header)


def test_the_wait_is_read_from_the_proxys_stamp_and_never_negative():
    assert waited_ms("t=100.250", 100.5) == pytest.approx(250.0)
    assert waited_ms("t=200.000", 100.0) == 0.0


def standing(queue: StandingQueue, waited: float) -> StandingQueue:
    """The queue after a whole interval in which every prediction waited `waited` ms."""
    assert queue.admits(stamp(waited))  # the first long wait starts the clock
    time.sleep(queue.interval_ms / 1000 * 1.5)
    queue.admits(stamp(waited))
    assert queue.standing
    return queue


def test_a_queue_that_drains_only_delays_however_long_a_burst_waited():
    queue = StandingQueue(ceiling_ms=25, interval_ms=100)
    assert queue.admits(stamp(1))
    assert queue.admits(stamp(40))  # a burst: above the target, but the queue was short a moment ago
    assert queue.admits(stamp(200))  # a host stall: late, and still served
    assert not queue.standing


def test_without_a_measured_service_time_the_target_is_the_ceiling():
    queue = StandingQueue(ceiling_ms=25, services=12)
    assert queue.service_ms is None
    assert queue.target_ms == 25


def test_the_target_is_a_number_of_predictions_times_below_the_ceiling():
    queue = StandingQueue(ceiling_ms=25, services=12)
    for seconds in (0.001, 0.001, 0.003):
        queue.ran_alone(seconds)
    assert queue.service_ms == pytest.approx(1.0)  # the median: one slow prediction does not move it
    assert queue.target_ms == pytest.approx(12.0)
    queue.ran_alone(0.005)
    queue.ran_alone(0.005)
    assert queue.target_ms == 25  # 12 predictions of 3 ms would be 36 ms: the ceiling holds


def test_a_standing_queue_refuses_what_waited_past_the_target_and_keeps_serving_the_rest():
    queue = StandingQueue(ceiling_ms=25, interval_ms=100, services=12)
    queue.ran_alone(0.001)  # a prediction takes 1 ms here: the target is 12 ms
    standing(queue, 20)
    assert not queue.admits(stamp(20))  # under the ceiling, but past the target once the queue stands
    assert queue.admits(stamp(8))  # within the target: served, and the queue still stands
    assert queue.standing
    assert not queue.admits(stamp(20))


def test_the_queue_stands_until_a_whole_interval_passes_with_no_long_wait():
    queue = standing(StandingQueue(ceiling_ms=25, interval_ms=100, services=12), 30)
    queue.ran_alone(0.002)  # the target is now 24 ms
    assert queue.admits(stamp(0))  # found the queue empty: under overload the refusals empty it too
    assert not queue.admits(stamp(30))  # so a long wait is still refused
    assert queue.admits(stamp(10))  # the clock starts with the first short wait after the last long one
    time.sleep(0.15)
    assert queue.admits(stamp(10))  # a whole interval with no long wait: the queue has drained
    assert not queue.standing


def cleared(queue: StandingQueue) -> StandingQueue:
    """A standing queue after a whole interval in which no prediction waited past the target."""
    assert queue.admits(stamp(10))
    time.sleep(queue.interval_ms / 1000 * 1.5)
    assert queue.admits(stamp(10))
    assert not queue.standing
    return queue


def test_a_queue_that_stood_a_moment_ago_stands_again_at_the_first_long_wait():
    queue = cleared(standing(StandingQueue(ceiling_ms=25, interval_ms=20), 30))
    # Under overload the refusals emptied it, and it refills within tens of ms: no second interval of long waits.
    assert not queue.admits(stamp(30))
    assert queue.standing


def test_long_after_a_queue_cleared_a_late_prediction_is_a_burst_again():
    queue = cleared(standing(StandingQueue(ceiling_ms=25, interval_ms=20), 30))
    time.sleep(0.02 * REMEMBERED_INTERVALS + 0.03)  # past the memory: a host stall now is not the old queue
    assert queue.admits(stamp(30))
    assert not queue.standing


def test_a_backlog_that_is_being_worked_off_never_stands():
    queue = StandingQueue(ceiling_ms=25, interval_ms=100)
    # After a 300 ms host stall at half load, the waits fall as the worker catches up.
    waits = [300 - step * 12 for step in range(22)]
    admitted = []
    for waited in waits:
        admitted.append(queue.admits(stamp(waited)))
        time.sleep(0.012)
    assert all(admitted)
    assert not queue.standing


def test_waits_that_level_off_above_the_target_stand():
    queue = StandingQueue(ceiling_ms=25, interval_ms=100)
    levelled = (40, 60, 45, 55, 50, 42, 58, 50, 47, 52, 49)  # the proxy's in-flight limit reached: no drain
    for waited in levelled:
        queue.admits(stamp(waited))
        time.sleep(0.012)
    assert queue.standing


def test_an_idle_spell_is_no_queue():
    queue = StandingQueue(ceiling_ms=25, interval_ms=100)
    assert queue.admits(stamp(1))
    time.sleep(0.15)  # nothing arrives for longer than an interval
    assert queue.admits(stamp(40))  # the first late one after it is a burst, not a standing queue
    assert not queue.standing


def test_predictions_that_ran_alone_teach_the_queue_its_service_time():
    admission = Admission(InflightLimit(4), StandingQueue())
    first = admission.enter()
    overlapped = admission.enter()  # entered while `first` was in flight: neither ran alone
    admission.leave(first)
    admission.leave(overlapped)
    unknown = admission.queue.service_ms
    alone = admission.enter()
    admission.leave(alone)
    assert unknown is None
    assert admission.queue.service_ms is not None
    assert admission.limit.inflight == 0


def test_admission_refuses_past_the_limit_and_behind_a_standing_queue():
    admission = Admission(InflightLimit(1), StandingQueue(ceiling_ms=25, interval_ms=100))
    place = admission.enter()
    with pytest.raises(Overloaded):
        admission.enter()
    admission.leave(place)
    standing(admission.queue, 40)
    with pytest.raises(Overloaded):
        admission.judge(stamp(40))
    admission.judge(None)  # no stamp, no proxy: nothing to judge


def test_the_settings_default_is_the_queue_target():
    assert load_settings({}).MAX_QUEUE_MS == QUEUE_TARGET_MS
