"""The open-loop generator: its schedules, its per-status counts, and what it counts as an error (and what not).

The pacer runs against small servers on its own event loop, so every case is deterministic in what it counts;
nothing here asserts a time.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable

import pytest
import uvloop

from benchmarks import pacer
from benchmarks.arrivals import offsets, share
from benchmarks.floors import NOOP, running_floor
from benchmarks.load import open_loop, request_head
from benchmarks.load_sample import SENT_LATE_US, LoadSample

URL = "http://127.0.0.1/v1/predict"
OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
REFUSED = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\nRetry-After: 1\r\n\r\nbusy"
FAILED = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"
CLOSING = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"

Reply = Callable[[bytes], bytes | None]  # the answer to a request body; None: close without answering


class Stub(asyncio.Protocol):
    """A server answering each complete request by `reply`, optionally closing idle connections after `idle_s`."""

    def __init__(self, reply: Reply, accepted: list[int], idle_s: float | None) -> None:
        self.reply, self.accepted, self.idle_s = reply, accepted, idle_s
        self.buffer = b""
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.accepted.append(1)
        self._arm()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        head, separator, rest = self.buffer.partition(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0]) if separator else -1
        if length < 0 or len(rest) < length:
            return
        self.buffer = rest[length:]
        answer = self.reply(rest[:length])
        if answer is None:
            self.transport.close()
            return
        self.transport.write(answer)  # type: ignore[attr-defined]
        if b"Connection: close" in answer:
            self.transport.close()
        self._arm()

    def _arm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.idle_s is not None:
            self.timer = asyncio.get_running_loop().call_later(self.idle_s, self.transport.close)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.timer is not None:
            self.timer.cancel()


def run_against(
    reply: Reply, bodies: list[bytes], times: list[float], idle_s: float | None = None
) -> tuple[LoadSample, int]:
    """Pace `bodies` at `times` against a stub server on the same loop; the sample and connections accepted."""
    accepted: list[int] = []

    async def scenario() -> LoadSample:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: Stub(reply, accepted, idle_s), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        payloads = [request_head(URL, body) + body for body in bodies]
        try:
            return await pacer.paced("127.0.0.1", port, payloads, times, duration_s=times[-1] or 0.1)
        finally:
            server.close()
            await server.wait_closed()

    return uvloop.run(scenario()), len(accepted)


def by_body(body: bytes) -> bytes | None:
    return {b"ok": OK, b"busy": REFUSED, b"fail": FAILED, b"bye": CLOSING}.get(body)


def test_uniform_arrivals_are_evenly_spaced() -> None:
    times = offsets(100, 2.0)
    assert len(times) == 200
    assert times[:3] == [0.0, 0.01, 0.02]


def test_poisson_arrivals_are_seeded_and_keep_the_mean_rate() -> None:
    times = offsets(1000, 10.0, "poisson", seed=7)
    assert times == offsets(1000, 10.0, "poisson", seed=7)
    assert times != offsets(1000, 10.0, "poisson", seed=8)
    assert 9_500 < len(times) < 10_500  # 10,000 expected, standard deviation 100
    assert times == sorted(times)
    assert times[-1] < 10.0
    gaps = [after - before for before, after in itertools.pairwise(times)]
    assert len({round(gap, 6) for gap in gaps}) > 1000, "gaps are not exponential but constant"


def test_arrivals_refuse_what_they_cannot_schedule() -> None:
    with pytest.raises(ValueError, match="arrivals must be"):
        offsets(10, 1.0, "bursty")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        offsets(0, 1.0)


def test_shares_of_a_schedule_partition_it() -> None:
    times = offsets(300, 1.0, "poisson")
    parts = [share(times, part, 3) for part in range(3)]
    assert sorted(time for part in parts for time in part) == times


def test_answers_are_counted_and_timed_by_status() -> None:
    bodies = [b"ok", b"ok", b"busy", b"fail"]
    sample, _ = run_against(by_body, bodies, [index * 0.002 for index in range(40)])
    assert (sample.requests, sample.errors, sample.refused, sample.non_200) == (40, 0, 10, 10)
    assert sample.histogram.get_total_count() == 40
    assert sample.accepted.get_total_count() == 20
    assert sample.refusals.get_total_count() == 10
    assert sample.send_lag.get_total_count() == 40


def test_a_connection_the_server_closes_while_idle_is_not_an_error() -> None:
    # The soak's transport errors: servers close keep-alive connections idle for 5 s, and the old client reused
    # them. Here the server closes after 0.1 s idle, and requests come back after 0.3 s.
    times = [0.0, 0.001, 0.002, 0.3, 0.301, 0.6]
    sample, accepted = run_against(by_body, [b"ok"], times, idle_s=0.1)
    assert (sample.requests, sample.errors) == (6, 0)
    assert accepted >= 3


def test_idle_connections_are_retired_before_a_server_would_close_them(monkeypatch) -> None:
    monkeypatch.setattr(pacer, "IDLE_REUSE_S", 0.1)
    sample, accepted = run_against(by_body, [b"ok"], [0.0, 0.3, 0.6])
    assert (sample.requests, sample.errors, accepted) == (3, 0, 3)


def test_connection_close_answers_reconnect() -> None:
    sample, accepted = run_against(by_body, [b"bye"], [index * 0.005 for index in range(10)])
    assert (sample.requests, sample.errors, accepted) == (10, 0, 10)


def test_a_request_whose_connection_is_lost_is_an_error() -> None:
    sample, _ = run_against(by_body, [b"ok", b"drop"], [index * 0.005 for index in range(10)])
    assert (sample.requests, sample.errors) == (5, 5)


def test_unanswered_requests_are_errors_once_the_grace_ends(monkeypatch) -> None:
    monkeypatch.setattr(pacer, "GRACE_S", 0.2)
    sample, _ = run_against(lambda body: b"", [b"silence"], [0.0, 0.01, 0.02])
    assert (sample.requests, sample.errors) == (0, 3)


def test_refusals_of_requests_the_generator_sent_late_are_counted_apart() -> None:
    sample = LoadSample(duration_s=1.0)
    sample.record(503, 900, lag_us=SENT_LATE_US)  # sent in a burst after the generator's own stall
    sample.record(503, 900, lag_us=SENT_LATE_US - 1, from_app=True)
    sample.record(200, 900, lag_us=SENT_LATE_US * 2)  # late, but answered: nothing to count apart
    assert (sample.refused, sample.refused_sent_late, sample.refused_by_app) == (2, 1, 1)


def test_a_sample_merges_another_process_sample() -> None:
    first, second = LoadSample(duration_s=1.0), LoadSample(duration_s=1.2)
    for status, micros in ((200, 900), (503, 40), (404, 100)):
        first.record(status, micros)
    second.record(200, 1_100)
    second.record(503, 40, lag_us=SENT_LATE_US)
    second.errors = 2
    first.merge(json.loads(json.dumps(second.to_wire())))
    assert (first.duration_s, first.requests, first.errors, first.refused, first.non_200) == (1.2, 5, 2, 2, 1)
    assert first.refused_sent_late == 1
    assert (first.accepted.get_total_count(), first.refusals.get_total_count()) == (2, 2)
    assert first.accepted.get_max_value() == pytest.approx(1_100, rel=1e-3)


@pytest.mark.live
@pytest.mark.parametrize("processes", [1, 2])
def test_open_loop_sends_its_whole_schedule_from_one_or_more_processes(processes: int) -> None:
    with running_floor(NOOP) as server:
        sample = open_loop(
            f"{server.base_url}/v1/predict",
            [b'{"a": 1}', b'{"a": 2}'],
            rate=200,
            duration_s=0.5,
            arrivals="poisson",
            processes=processes,
        )
    assert (sample.requests, sample.errors, sample.refused, sample.non_200) == (
        len(offsets(200, 0.5, "poisson")),
        0,
        0,
        0,
    )
    assert sample.accepted.get_total_count() == sample.requests
