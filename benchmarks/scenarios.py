"""The scenarios a target is measured in, as objects: each knows its parameters, how to run one repeat, and the
figures its repeats become. MLPerf's names where they fit: SingleStream is the closed loop at c=1, Server the
highest Poisson rate within the latency objective, Offline the batch throughput.
"""

from __future__ import annotations

import math
import statistics
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from benchmarks import affinity, resources, slo_search
from benchmarks.page_load import mib_per_person, run_people
from benchmarks.repeats import Repeat, from_sample, from_wrk, load_figures
from benchmarks.results import Figure, Measurement, Trial
from benchmarks.results import Scenario as Recorded
from benchmarks.streamlit_load import run_sessions
from benchmarks.wrk import run_wrk

if TYPE_CHECKING:
    from benchmarks.plan import Settings
    from benchmarks.runs import Bench, Run

BATCH_CONCURRENCY = 8
# A page's people (Streamlit's sessions, the Flask page's clients) submit this long before the clock starts.
SESSION_WARMUP_S = 0.2
SETTLE_S = 0.3  # between two trials of a search: whatever queued in a failed one drains first
GUESS_OF_CLOSED_LOOP = 0.6  # a first guess of capacity: this share of the round's closed-loop c=8 throughput
FALLBACK_GUESS_RPS = 100.0
PERCENTILE = slo_search.PERCENTILE
CEILING_TRIALS = 6
MIB = 1024 * 1024


class Scenario(ABC):
    """One scenario at one setting; `key` names its repeats in a run."""

    kind: ClassVar[str]
    recorded: ClassVar[Recorded]
    generator: ClassVar[str | None] = "wrk"  # whose ceiling flags its figures
    # Whether a round's targets take turns within one repeat (`run_together`) rather than one after the other.
    together: ClassVar[bool] = False

    @property
    @abstractmethod
    def setting(self) -> float: ...

    @property
    def key(self) -> tuple[str, float]:
        return self.kind, self.setting

    @abstractmethod
    def params(self) -> dict[str, float | int | str]:
        """The parameters as the results file records them."""

    @abstractmethod
    def run(self, bench: Bench, run: Run) -> Repeat:
        """One measured repeat on the started target."""

    def run_together(self, bench: Bench, runs: Sequence[Run]) -> list[Repeat | Exception]:
        """One measured repeat on each target, for a scenario whose targets take turns (`together`)."""
        raise NotImplementedError(f"{self} measures one target at a time")

    def duration_s(self, settings: Settings) -> float:
        """Expected wall time of one repeat, for the plan's estimate."""
        return settings.measure_s

    def measurement(self, repeats: Sequence[Repeat], ceilings: dict[str, float]) -> Measurement:
        """The figures of every repeat, with min/median/max."""
        ceiling = ceilings.get(self.generator) if self.generator else None
        return Measurement(
            scenario=self.recorded, params=self.params(), figures=load_figures(repeats, ceiling=ceiling)
        )

    @abstractmethod
    def __str__(self) -> str:
        """A short name for the plan and the progress lines: `c=8`, `batch 100`, `capacity at p99 ≤ 50 ms`."""


@dataclass(frozen=True, slots=True)
class ClosedLoop(Scenario):
    """wrk with one connection per client, each sending its next request when the last is answered."""

    concurrency: int
    kind: ClassVar[str] = "closed_loop"
    recorded: ClassVar[Recorded] = "closed_loop"

    @property
    def setting(self) -> float:
        return self.concurrency

    def params(self) -> dict[str, float | int | str]:
        return {"concurrency": self.concurrency}

    def __str__(self) -> str:
        return f"c={self.concurrency}"

    def run(self, bench: Bench, run: Run) -> Repeat:
        path, bodies = bench.predict_request(run)
        wrk = run_wrk(
            run.url(path),
            bodies,
            connections=self.concurrency,
            duration_s=bench.settings.measure_s,
            cores=bench.generator_cores_for(run),
        )
        return from_wrk(wrk)


@dataclass(frozen=True, slots=True)
class Batch(Scenario):
    """Offline: batches of `batch_size` records to /v1/predict/batch, closed loop at c=8; rows/s."""

    batch_size: int
    kind: ClassVar[str] = "batch"
    recorded: ClassVar[Recorded] = "batch"

    @property
    def setting(self) -> float:
        return self.batch_size

    def params(self) -> dict[str, float | int | str]:
        return {"batch_size": self.batch_size, "concurrency": BATCH_CONCURRENCY}

    def __str__(self) -> str:
        return f"batch {self.batch_size}"

    def run(self, bench: Bench, run: Run) -> Repeat:
        wrk = run_wrk(
            run.url("/v1/predict/batch"),
            bench.batch_bodies(self.batch_size),
            connections=BATCH_CONCURRENCY,
            duration_s=bench.settings.measure_s,
            cores=bench.generator_cores_for(run),
        )
        repeat = from_wrk(wrk)
        repeat.extra["rows_per_s"] = wrk.throughput * self.batch_size
        return repeat


@dataclass(frozen=True, slots=True)
class StreamlitSessions(Scenario):
    """`sessions` websocket sessions submitting the form back to back; reruns/s and submit → result latency."""

    sessions: int
    kind: ClassVar[str] = "streamlit_sessions"
    recorded: ClassVar[Recorded] = "streamlit_sessions"
    generator: ClassVar[str | None] = None

    @property
    def setting(self) -> float:
        return self.sessions

    def params(self) -> dict[str, float | int | str]:
        return {"sessions": self.sessions}

    def __str__(self) -> str:
        return f"{self.sessions} sessions"

    def run(self, bench: Bench, run: Run) -> Repeat:
        # The client apart from the pinned server, as every other generator (and the Flask page's people) runs.
        with affinity.pinned(bench.generator_cores_for(run)):
            sample = run_sessions(
                run.url(""),
                bench.records,
                bench.expected,
                sessions=self.sessions,
                warmup_s=SESSION_WARMUP_S,
                measure_s=bench.settings.measure_s,
            )
        return from_sample(sample)

    def measurement(self, repeats: Sequence[Repeat], ceilings: dict[str, float]) -> Measurement:
        return Measurement(
            scenario=self.recorded, params=self.params(), figures=load_figures(repeats, unit="reruns/s")
        )


@dataclass(frozen=True, slots=True)
class PagePeople(Scenario):
    """`people` at once on the Flask page, each posting its form back to back (`page_load`): submits/s, submit →
    answered page, and the server tree's RSS growth per person.

    The growth is taken from the tree's size just before the people arrive, not from its idle size after the warm-up:
    the same server answered the API's scenarios (batches of 1000 among them) first, and its heap keeps what they grew.
    """

    people: int
    kind: ClassVar[str] = "page_people"
    recorded: ClassVar[Recorded] = "page_people"
    generator: ClassVar[str | None] = None

    @property
    def setting(self) -> float:
        return self.people

    def params(self) -> dict[str, float | int | str]:
        return {"people": self.people}

    def __str__(self) -> str:
        return f"{self.people} {'person' if self.people == 1 else 'people'} at once on the Flask page"

    def duration_s(self, settings: Settings) -> float:
        return SESSION_WARMUP_S + settings.measure_s

    def run(self, bench: Bench, run: Run) -> Repeat:
        assert run.server is not None
        people = partial(run_people, run.url(""), bench.records, bench.expected)
        with affinity.pinned(bench.generator_cores_for(run)):
            if not any(kind == self.kind for kind, _ in run.repeats):
                # The page's first use (templates compiled, the form parser's first run) is not a person's memory:
                # one person submits before the first baseline, as Streamlit's warm-up session does for its page.
                people(people=1, warmup_s=0, measure_s=SESSION_WARMUP_S)
            before = resources.rss_bytes(run.server.pid)[0]
            sample = people(people=self.people, warmup_s=SESSION_WARMUP_S, measure_s=bench.settings.measure_s)
        repeat = from_sample(sample)
        repeat.extra["rss_before_mb"] = before / MIB
        return repeat

    def measurement(self, repeats: Sequence[Repeat], ceilings: dict[str, float]) -> Measurement:
        figures = load_figures(repeats, unit="submits/s")
        # The harness notes each repeat's peak (`peak_rss_mb`) around `run`, so the growth is read here.
        growth = [
            mib_per_person(int(r.extra["rss_before_mb"] * MIB), int(r.peak_rss_mb * MIB), self.people)
            for r in repeats
        ]
        figures["rss_per_person_mb"] = Figure.of("MiB", growth)
        return Measurement(scenario=self.recorded, params=self.params(), figures=figures)


@dataclass(frozen=True, slots=True)
class Server(Scenario):
    """MLPerf's Server: the highest Poisson arrival rate whose p99 (from intended send times) is within `slo_ms`."""

    slo_ms: float
    kind: ClassVar[str] = "server"
    recorded: ClassVar[Recorded] = "server"
    generator: ClassVar[str | None] = "asyncio"
    together: ClassVar[bool] = True

    @property
    def setting(self) -> float:
        return self.slo_ms

    def params(self) -> dict[str, float | int | str]:
        return {"slo_ms": self.slo_ms, "percentile": PERCENTILE}

    def __str__(self) -> str:
        return f"capacity at p99 ≤ {self.slo_ms:g} ms"

    def duration_s(self, settings: Settings) -> float:
        # A first search takes about five trials, later ones about three; each about 1.3× its shortest length.
        trials = min(settings.search_trials, 4)
        return trials * (1.3 * slo_search.trial_seconds(math.inf, settings.trial_queries) + SETTLE_S)

    def run(self, bench: Bench, run: Run) -> Repeat:
        (repeat,) = self.run_together(bench, [run])
        if isinstance(repeat, Exception):
            raise repeat
        return repeat

    def run_together(self, bench: Bench, runs: Sequence[Run]) -> list[Repeat | Exception]:
        """One repeat on each target, their searches taking turns trial by trial (`slo_search.in_turn`), so a front
        end's capacity and its floor's are measured over the same seconds; a target whose trial failed gets the
        exception instead of a repeat."""
        urls = [run.url(bench.predict_request(run)[0]) for run in runs]

        def trial(index: int, rate: float) -> slo_search.TrialLoad:
            time.sleep(SETTLE_S)
            duration = slo_search.trial_seconds(rate, bench.settings.trial_queries)
            server = runs[index].server
            assert server is not None  # the harness starts every target before measuring it
            cpu_before = resources.cpu_seconds(server.pid)
            sample = bench.open_loop(runs[index], urls[index], rate, duration)
            cpu_us = resources.per_request_us(resources.cpu_seconds(server.pid) - cpu_before, sample.requests)
            return slo_search.TrialLoad.of(sample, rate, duration, cpu_us)

        outcomes = slo_search.in_turn([self._searching(bench, run) for run in runs], trial)
        return [
            outcome if isinstance(outcome, Exception) else self._repeat(run, outcome)
            for run, outcome in zip(runs, outcomes, strict=True)
        ]

    def _searching(self, bench: Bench, run: Run) -> slo_search.Search:
        start, growth = self._start(run)
        # A failure at or below a rate an earlier repeat held is doubted and tried again (slo_search.doubt).
        held = max((r.throughput for r in run.repeats.get(self.key, [])), default=0.0)
        return slo_search.searching(
            self.slo_ms, start, growth, self.trials(bench.settings), passed_before=held
        )

    def _repeat(self, run: Run, outcome: slo_search.Outcome) -> Repeat:
        repeat_index = len(run.repeats.get(self.key, []))
        trials = [_trial(repeat_index, judged) for judged in outcome.trials]
        return Repeat(
            throughput=outcome.capacity_rps,
            percentiles_ms={"99": outcome.p99_ms_at_capacity},
            samples=sum(t.samples for t in trials),
            errors=sum(t.errors for t in trials),
            non_200=0,
            refused=sum(t.refused for t in trials),
            trials=trials,
        )

    def trials(self, settings: Settings) -> int:
        """The most trials one search may take."""
        return settings.search_trials

    def _start(self, run: Run) -> tuple[float, float]:
        """Where the search starts: the capacity already found in earlier repeats, or a guess from this round."""
        found = [r.throughput for r in run.repeats.get(self.key, []) if r.throughput > 0]
        if found:
            return statistics.median(found), slo_search.LATER_GROWTH
        closed = run.repeats.get(ClosedLoop(8).key) or run.repeats.get(ClosedLoop(1).key)
        if closed:
            return max(1.0, GUESS_OF_CLOSED_LOOP * closed[-1].throughput), slo_search.FIRST_GROWTH
        return FALLBACK_GUESS_RPS, slo_search.FIRST_GROWTH

    def measurement(self, repeats: Sequence[Repeat], ceilings: dict[str, float]) -> Measurement:
        ceiling = ceilings.get("asyncio")
        capacity = [r.throughput for r in repeats]
        beyond = ceiling is not None and max(capacity) > ceiling / 3
        note = f"above a third of the asyncio generator's ceiling ({ceiling:.0f}/s)" if beyond else None
        figures = {
            "capacity_rps": Figure.of("req/s", capacity, beyond, note),
            "p99_ms_at_capacity": Figure.of("ms", [r.percentiles_ms["99"] for r in repeats]),
        }
        figures["cpu_us_per_request"] = Figure.of("µs", [r.cpu_us_per_request for r in repeats])
        figures["peak_rss_mb"] = Figure.of("MiB", [r.peak_rss_mb for r in repeats])
        trials = [trial for r in repeats for trial in r.trials]
        return Measurement(scenario=self.recorded, params=self.params(), figures=figures, trials=trials)


@dataclass(frozen=True, slots=True)
class GeneratorCeiling(Server):
    """The asyncio generator's own ceiling: the Server search against the no-op server, at a tight p99."""

    kind: ClassVar[str] = "generator_ceiling"
    generator: ClassVar[str | None] = None

    def params(self) -> dict[str, float | int | str]:
        return {"slo_ms": self.slo_ms, "percentile": PERCENTILE, "measures": "the asyncio generator"}

    def __str__(self) -> str:
        return f"the asyncio generator's ceiling at p99 ≤ {self.slo_ms:g} ms"

    def _start(self, run: Run) -> tuple[float, float]:
        found = [r.throughput for r in run.repeats.get(self.key, []) if r.throughput > 0]
        if found:
            return statistics.median(found), slo_search.LATER_GROWTH
        return 1000.0, 2.0

    def trials(self, settings: Settings) -> int:
        # Measured once per run, and every other capacity is judged against it: worth a full search.
        return max(settings.search_trials, CEILING_TRIALS)


def _trial(repeat: int, judged: slo_search.Judged) -> Trial:
    load = judged.load
    return Trial(
        repeat=repeat,
        offered_rps=round(load.offered_rps, 1),
        delivered_rps=round(load.delivered_rps, 1),
        p99_ms=round(load.p99_ms, 3),
        samples=load.samples,
        errors=load.errors,
        refused=load.refused,
        passed=judged.passed,
        why=judged.why,
        cpu_us_per_request=None if load.server_cpu_us is None else round(load.server_cpu_us, 1),
    )
