"""The standing-queue rule behind the proxy: CoDel, judged when a worker takes a prediction up, with a target in units
of the worker's own service time."""

from __future__ import annotations

import math
import statistics
import time
from collections import deque

# nginx stamps each request it hands on with the time it did so, "t=<seconds since the epoch, ms resolution>".
QUEUE_START_HEADER = "X-Request-Start"
# The most a prediction may wait once a queue stands (SERVEBENCH_MAX_QUEUE_MS sets it): half the default 50 ms latency
# objective, so what is accepted under overload still meets it. (A bound of twice this on any wait, standing queue or
# not, refused the few predictions a host stall had delayed, in a closed loop of 8 that was nowhere near overload.)
QUEUE_TARGET_MS = 25.0
# Below that ceiling, a standing queue's target is this many predictions' time. A closed loop of 8 clients on one
# worker waits behind 7, each with the server's own reading and writing beside the app's time, and slower still on
# the one worker left while a killed one restarts: 12 and 16 refused some there. A fixed 25 ms let accepted
# predictions take 12-20x the unloaded p50 under 2x overload on a host where one takes 1-2 ms.
STANDING_SERVICES = 32.0
SERVICE_SAMPLES = 32  # predictions that ran alone whose median is the worker's service time
SERVICE_REFRESH = 8  # the median is taken again every this many samples
QUEUE_INTERVAL_MS = 100.0  # CoDel's interval: this long above the target, and the queue is standing
# A queue whose waits fell by this share of an interval over it is a backlog being worked off, not a standing one:
# the worker is taking predictions up at least 4/3 as fast as they arrive. After a host stall at half load the waits
# fall by about an interval per interval; under overload they grow, or level off at the proxy's in-flight limit.
DRAINING_SHARE = 0.25
# A queue that stood this many intervals ago stands again at the first prediction past the target (CoDel also
# remembers a recent dropping state). Under overload the refusals empty a standing queue until it clears, and it
# refills in tens of ms: without the memory each refill then admitted a whole interval's waits of up to the proxy's
# in-flight limit. Shorter than a period of host stalls (1.5 s in the overload probe), which 16 intervals chained.
REMEMBERED_INTERVALS = 4


class StandingQueue:
    """Refuses predictions that waited behind a standing queue, from the proxy's stamp (CoDel, judged where work starts).

    The stamp is read when the worker takes the prediction up, so the wait it shows is the whole queue's. A queue
    that drains now and then only delays: a burst is never refused (nginx's in-flight limit bounds how long it can
    grow). A queue stands when every prediction for a whole interval waited longer than the target and the waits did
    not fall meanwhile: then only those that waited at most the target are worked on and the rest are refused at
    once, until a whole interval passes in which none waited longer; within REMEMBERED_INTERVALS of that, one
    prediction past the target stands it again. (A prediction that finds the queue empty proves nothing: under
    overload the refusals empty it, each in microseconds, and the next wave fills it again. One late prediction
    proves nothing either: a host stall or a collection pause delays a few, and refusing them only turns late answers
    into failed ones. Nor do waits that fall while above the target: that is a stall's backlog being worked off at a
    load the worker can carry.) The target is STANDING_SERVICES times the worker's own service time, at most
    `ceiling_ms`: what is accepted under overload stays a small multiple of the unloaded latency on a fast host and a
    slow one alike. Without the stamp (in process, no proxy) it admits everything.
    """

    def __init__(
        self,
        ceiling_ms: float = QUEUE_TARGET_MS,
        interval_ms: float = QUEUE_INTERVAL_MS,
        services: float = STANDING_SERVICES,
    ) -> None:
        self.ceiling_ms = ceiling_ms
        self.interval_ms = interval_ms
        self.services = services
        self._alone_ms: deque[float] = deque(maxlen=SERVICE_SAMPLES)
        self._service_ms: float | None = None
        self._samples = 0
        # Since when every prediction has been on the other side of the target from the state (None: the last one
        # was not). An idle spell is no queue: the clock starts with the first long wait, never with a short one.
        self._since: float | None = None
        self._first_wait_ms = 0.0  # the wait that started the clock
        self._standing = False
        self._cleared_at: float | None = None  # when a standing queue last cleared

    @property
    def service_ms(self) -> float | None:
        """How long a prediction takes in this worker with nothing else in flight (median of the latest)."""
        return self._service_ms

    @property
    def target_ms(self) -> float:
        """The longest a prediction may have waited once a queue stands."""
        service = self.service_ms
        return self.ceiling_ms if service is None else min(self.ceiling_ms, self.services * service)

    @property
    def standing(self) -> bool:
        """Whether the queue stands now (predictions past the target are refused)."""
        return self._standing

    def ran_alone(self, seconds: float) -> None:
        """A prediction with nothing else in flight in this worker took `seconds`, from admission to its end."""
        self._alone_ms.append(seconds * 1000)
        self._samples += 1
        # The median of 32 costs a few µs: taken every few samples rather than for every prediction judged.
        if self._samples < SERVICE_REFRESH or self._samples % SERVICE_REFRESH == 0:
            self._service_ms = statistics.median(self._alone_ms)

    def admits(self, stamp: str | None) -> bool:
        """Whether a prediction stamped `stamp` (the header's value, or None) may be worked on now."""
        waited = waited_ms(stamp, time.time())
        if waited is None:
            return True
        now = time.monotonic()
        within = waited <= self.target_ms
        # The clock runs while every prediction is on the other side of the target from the state: above it while
        # the queue only delays, within it while the queue stands. A whole interval of that flips the state.
        if not within and not self._standing and self._stood_recently(now):
            self._standing, self._since = True, None
        elif within != self._standing:
            self._since = None
        elif self._since is None:
            self._since, self._first_wait_ms = now, waited
        elif (now - self._since) * 1000 > self.interval_ms:
            if self._standing:
                self._standing, self._since, self._cleared_at = False, None, now
            elif not self._draining(waited):
                self._standing, self._since = True, None
            else:  # a backlog worked off: judge the next interval
                self._since, self._first_wait_ms = now, waited
        return within or not self._standing

    def _stood_recently(self, now: float) -> bool:
        cleared = self._cleared_at
        return cleared is not None and (now - cleared) * 1000 <= REMEMBERED_INTERVALS * self.interval_ms

    def _draining(self, waited: float) -> bool:
        return self._first_wait_ms - waited >= DRAINING_SHARE * self.interval_ms

    def __repr__(self) -> str:
        return (
            f"StandingQueue(ceiling_ms={self.ceiling_ms}, interval_ms={self.interval_ms}, "
            f"services={self.services}, standing={self._standing})"
        )


def waited_ms(stamp: str | None, now_s: float) -> float | None:
    """How long ago the proxy stamped a request (`t=<epoch seconds>`); None for no stamp or one that is not a time."""
    if stamp is None or not stamp.startswith("t="):
        return None
    try:
        stamped = float(stamp[2:])
    except ValueError:
        return None
    return max(0.0, (now_s - stamped) * 1000) if math.isfinite(stamped) else None
