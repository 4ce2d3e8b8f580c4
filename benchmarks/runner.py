"""One benchmark run: verify, start every target, measure in interleaved rounds, and write the results file."""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from benchmarks import affinity, browser, in_process, plan, resources
from benchmarks.boilerplate import count_front_ends
from benchmarks.environment import describe as describe_environment
from benchmarks.load import LoadSample, open_loop, sequential
from benchmarks.records import generated_records, load_records
from benchmarks.results import ContractRow, Figure, Measurement, Results, Scenario, Target, write_results
from benchmarks.streamlit_load import first_page_s, run_sessions
from benchmarks.streamlit_ws import QUICKACK_SUPPORTED
from benchmarks.targets import HTTP_FRONT_ENDS, SHIPPED_VARIANTS, STREAMLIT, Server, TargetSpec, running
from benchmarks.verify import check_answers, expected_answer, run_contract
from benchmarks.wrk import WrkRun, run_wrk
from shared_model import Validator, load_model

MIB = 1024 * 1024
P999_MIN_SAMPLES = 10_000
# The asyncio generator keeps up with a rate when it delivers it and the no-op server's p99 stays this low.
CEILING_P99_MS = 10.0
CEILING_DELIVERED = 0.95
SERVER_TIMING_SAMPLES = 100
OPEN_LOOP_BASE_CONCURRENCY = 8
EXTRA_UNITS = {"rows_per_s": "rows/s", "offered_rps": "req/s"}
SCENARIOS: dict[str, Scenario] = {
    "closed_loop": "closed_loop",
    "open_loop": "open_loop",
    "batch": "batch",
    "streamlit_sessions": "streamlit_sessions",
}


@dataclass(slots=True)
class Repeat:
    """One measured run of one setting: its load sample and the server's resources during it."""

    throughput: float
    percentiles_ms: dict[str, float]
    samples: int
    errors: int
    non_200: int
    cpu_us_per_request: float
    peak_rss_mb: float
    extra: dict[str, float] = field(default_factory=dict)
    refused: int = 0


@dataclass(slots=True)
class Run:
    """Everything gathered for one target while the run goes on."""

    spec: TargetSpec
    server: Server | None = None
    failure: str | None = None
    repeats: dict[tuple[str, int], list[Repeat]] = field(default_factory=lambda: defaultdict(list))
    cold_starts_s: list[float] = field(default_factory=list)
    idle_rss: tuple[int, list[int]] = (0, [])
    timing: dict[str, float] = field(default_factory=dict)
    browser_ms: list[float] = field(default_factory=list)
    browser_feature: str = ""


class Harness:
    """Holds the inputs of one run and measures each target with them."""

    def __init__(
        self, settings: plan.Settings, model: str, records_path: Path | None, console: Console
    ) -> None:
        self.settings = settings
        self.model = model
        self.console = console
        self.predictor = load_model(model)
        self.validator = validator = Validator(self.predictor.spec, max_batch=1000)
        self.records = (
            load_records(records_path, validator) if records_path else generated_records(self.predictor.spec)
        )
        self.records_source = str(records_path) if records_path else "generated"
        self.bodies = [json.dumps(record).encode() for record in self.records]
        self.expected = [expected_answer(self.predictor, validator, record) for record in self.records]
        self.server_cores, self.generator_cores = affinity.split_cores()
        self.floor_rows = {
            size: validator.validate_records(self._rotated(0, size)) for size in settings.batch_sizes
        }
        self.floor_samples: dict[int, list[LoadSample]] = defaultdict(list)
        self._stack_lock = threading.Lock()

    def _rotated(self, start: int, size: int) -> list[dict[str, Any]]:
        return [self.records[(start + j) % len(self.records)] for j in range(size)]

    def batch_bodies(self, size: int) -> list[bytes]:
        """Distinct batch bodies of `size` records, rotating through the records."""
        count = max(1, min(20, len(self.records)))
        return [json.dumps({"instances": self._rotated(i, size)}).encode() for i in range(count)]

    def start(self, run: Run, stack: ExitStack) -> None:
        """Start the target, check its answers against in-process predictions, and pin it to the server cores."""
        try:
            context = running(run.spec, self.model)
            run.server = context.__enter__()
            # Servers start in parallel threads; the stack is shared, so registering the stop is serialised.
            with self._stack_lock:
                stack.push(context.__exit__)
            failures = self._check_answers(run.spec, run.server)
        except Exception as error:  # a target that cannot start or answer gets its failure, not figures
            run.failure = f"{type(error).__name__}: {error}"
            return
        if failures:
            run.failure = "wrong answers: " + "; ".join(failures[:3])
            return
        if run.spec.workers == 1:
            affinity.pin_tree(run.server.pid, self.server_cores)

    def measure_floor(self, batch_size: int) -> None:
        """One repeat of the in-process floor: `Predictor.predict` on validated rows, on the server cores."""
        rows = self.floor_rows[batch_size]
        self.floor_samples[batch_size].append(in_process.measure(self.predictor, rows, self.server_cores))

    def warm_up(self, run: Run) -> None:
        """Load the target for the warm-up time so caches, JITs and pools are in their steady state."""
        assert run.server is not None
        if self.settings.warmup_s <= 0:
            return
        if run.spec.is_http:
            run_wrk(
                f"{run.server.base_url}/v1/predict",
                self.bodies,
                connections=8,
                duration_s=self.settings.warmup_s,
                cores=self._generator_cores(run),
            )
        else:
            run_sessions(
                run.server.base_url,
                self.records,
                self.expected,
                sessions=1,
                warmup_s=0,
                measure_s=self.settings.warmup_s,
            )

    def measure(self, run: Run, scenario: str, setting: int) -> None:
        """One measured repeat of (scenario, setting) on the target."""
        assert run.server is not None
        cpu_before = resources.cpu_seconds(run.server.pid)
        with resources.PeakRss(run.server.pid) as peak:
            sample = self._load(run, scenario, setting)
        cpu = resources.cpu_seconds(run.server.pid) - cpu_before
        requests = sample.samples or 1
        sample.cpu_us_per_request = cpu / requests * 1e6
        sample.peak_rss_mb = peak.peak / MIB
        run.repeats[(scenario, setting)].append(sample)

    def _load(self, run: Run, scenario: str, setting: int) -> Repeat:
        assert run.server is not None
        url = f"{run.server.base_url}/v1/predict"
        measure_s = self.settings.measure_s
        if scenario == "streamlit_sessions":
            sample = run_sessions(
                run.server.base_url,
                self.records,
                self.expected,
                sessions=setting,
                warmup_s=0.2,
                measure_s=measure_s,
            )
            return _from_sample(sample)
        if scenario == "open_loop":
            # The base is this round's closed-loop throughput at c=8 (the highest c ≤ 8 in short plans).
            levels = [
                c for kind, c in run.repeats if kind == "closed_loop" and c <= OPEN_LOOP_BASE_CONCURRENCY
            ]
            closed = run.repeats[("closed_loop", max(levels))] if levels else []
            base = closed[-1].throughput if closed else 100.0
            rate = max(1.0, base * setting / 100)
            sample = self._open(url, rate)
            repeat = _from_sample(sample)
            repeat.extra["offered_rps"] = rate
            return repeat
        if scenario == "ceiling_open_loop":
            rate = float(setting)
            repeat = _from_sample(self._open(url, rate))
            repeat.extra["offered_rps"] = rate
            return repeat
        bodies = self.bodies
        if scenario == "batch":
            url = f"{url}/batch"
            bodies = self.batch_bodies(setting)
        connections = 8 if scenario == "batch" else setting
        wrk = run_wrk(
            url, bodies, connections=connections, duration_s=measure_s, cores=self._generator_cores(run)
        )
        repeat = _from_wrk(wrk)
        if scenario == "batch":
            repeat.extra["rows_per_s"] = wrk.throughput * setting
        return repeat

    def _open(self, url: str, rate: float) -> LoadSample:
        affinity.pin_self(self.generator_cores)
        try:
            return open_loop(url, self.bodies, rate=rate, duration_s=self.settings.measure_s)
        finally:
            affinity.unpin_self()

    def _generator_cores(self, run: Run) -> list[int]:
        # Two workers get every core; pinning the generator apart would leave one worker nowhere to run.
        return self.generator_cores if run.spec.workers == 1 else []

    def note_idle(self, run: Run) -> None:
        """Idle RSS of the tree after the warm-up, and the Server-Timing split from sequential requests."""
        assert run.server is not None
        time.sleep(0.3)
        run.idle_rss = resources.rss_bytes(run.server.pid)
        if run.spec.is_http and run.spec.kind == "front_end":
            answers = sequential(f"{run.server.base_url}/v1/predict", self.bodies, SERVER_TIMING_SAMPLES)
            run.timing = resources.server_timing(a.headers.get("server-timing", "") for a in answers)

    def browser_cross_check(self, run: Run) -> None:
        """Click → rendered result in Chromium, on records that differ from the form's examples in one feature."""
        assert run.server is not None
        spec = self.predictor.spec
        feature = browser.varied_feature(spec).name
        values = [record[feature] for record in self.records]
        # Neighbouring submits must differ, or the second would show the same answer as the first.
        distinct = [value for index, value in enumerate(values) if index == 0 or value != values[index - 1]]
        count = browser.WARMUP_SUBMITS + self.settings.browser_submits
        records = [{**spec.example_record(), feature: value} for value in distinct[:count]]
        expected = [expected_answer(self.predictor, self.validator, record) for record in records]
        sample = browser.submit_times(run.server.base_url, records, expected, feature, self.generator_cores)
        if sample.wrong:
            raise RuntimeError("the browser showed wrong answers: " + "; ".join(sample.wrong[:3]))
        run.browser_ms, run.browser_feature = sample.submit_ms, feature

    def _check_answers(self, spec: TargetSpec, server: Server, count: int | None = None) -> list[str]:
        records, expected = self.records[:count], self.expected[:count]
        return check_answers(spec, server, self.predictor, self.validator, records=records, expected=expected)

    def cold_start(self, spec: TargetSpec) -> float:
        """Launch → first correct prediction (first rendered page for Streamlit), in a fresh process."""
        launched_at = time.perf_counter()
        with running(spec, self.model) as server:
            if spec.is_http:
                self._check_answers(spec, server, count=1)
            else:
                first_page_s(server.base_url)
            return time.perf_counter() - launched_at


def _from_wrk(run: WrkRun) -> Repeat:
    return Repeat(
        throughput=run.throughput,
        percentiles_ms={key: value / 1000 for key, value in run.percentiles_us.items()},
        samples=run.requests,
        errors=run.errors,
        non_200=run.non_200,
        refused=run.refused,
        cpu_us_per_request=0.0,
        peak_rss_mb=0.0,
    )


def _from_sample(sample: LoadSample) -> Repeat:
    percentiles = {f"{p:g}": sample.percentile_us(p) / 1000 for p in (50.0, 90.0, 99.0, 99.9)}
    return Repeat(
        throughput=sample.throughput,
        percentiles_ms=percentiles,
        samples=sample.requests,
        errors=sample.errors,
        non_200=sample.non_200,
        refused=sample.refused,
        cpu_us_per_request=0.0,
        peak_rss_mb=0.0,
    )


def measurement(scenario: str, setting: int, repeats: Sequence[Repeat], ceiling: float | None) -> Measurement:
    """The figures of one (scenario, setting): every repeat, with min/median/max."""
    names = {
        "closed_loop": "concurrency",
        "batch": "batch_size",
        "open_loop": "percent_of_c8",
        "streamlit_sessions": "sessions",
        "ceiling_open_loop": "offered_rps",
    }
    params: dict[str, float | int | str] = {names.get(scenario, "setting"): setting}
    if scenario == "batch":
        params["concurrency"] = 8
    throughput = [r.throughput for r in repeats]
    flagged = ceiling is not None and max(throughput) > ceiling / 3
    note = f"above a third of the generator's ceiling ({ceiling:.0f}/s)" if flagged else None
    figures = {
        "throughput_rps": Figure.of(
            "reruns/s" if scenario == "streamlit_sessions" else "req/s", throughput, flagged, note
        ),
        "p50_ms": Figure.of("ms", [r.percentiles_ms["50"] for r in repeats]),
        "p90_ms": Figure.of("ms", [r.percentiles_ms["90"] for r in repeats]),
        "p99_ms": Figure.of("ms", [r.percentiles_ms["99"] for r in repeats]),
        "samples": Figure.of("count", [float(r.samples) for r in repeats]),
        "errors": Figure.of("count", [float(r.errors) for r in repeats]),
        "non_200": Figure.of("count", [float(r.non_200) for r in repeats]),
        "refused": Figure.of("count", [float(r.refused) for r in repeats]),
        "cpu_us_per_request": Figure.of("µs", [r.cpu_us_per_request for r in repeats]),
        "peak_rss_mb": Figure.of("MiB", [r.peak_rss_mb for r in repeats]),
    }
    if all(r.samples >= P999_MIN_SAMPLES for r in repeats):
        figures["p999_ms"] = Figure.of("ms", [r.percentiles_ms["99.9"] for r in repeats])
    for name in sorted({key for r in repeats for key in r.extra}):
        figures[name] = Figure.of(EXTRA_UNITS.get(name, "1/s"), [r.extra[name] for r in repeats])
    # The asyncio generator's ceiling is an open-loop run against the no-op server.
    recorded: Scenario = "open_loop" if scenario == "ceiling_open_loop" else SCENARIOS[scenario]
    return Measurement(scenario=recorded, params=params, figures=figures)


def execute(
    settings: plan.Settings, model: str, records_path: Path | None, out_dir: Path, console: Console
) -> tuple[Path, Results]:
    """Run the whole plan and write the results file; every server is stopped whatever happens."""
    started_at = datetime.now(UTC)
    clock = time.perf_counter()
    harness = Harness(settings, model, records_path, console)
    specs = plan.targets(settings)
    console.print(
        f"[bold]servebench {settings.mode} run[/] on model {model!r}, {len(harness.records)} records "
        f"({harness.records_source}); estimated {plan.estimate_s(settings):.0f} s"
    )
    console.print(f"  {'in-process predict':<34} batch {', '.join(map(str, settings.batch_sizes))}")
    for spec in specs:
        console.print(f"  {spec.label:<34} {', '.join(f'{s} {v}' for s, v in _settings_of(settings, spec))}")
    front_end_names = [*HTTP_FRONT_ENDS, STREAMLIT]
    contract: list[ContractRow] = []
    if settings.run_contract:
        console.print("verifying: the live contract catalogue (pytest contract_tests --mode live) ...")
        contract = run_contract(front_end_names, model)
    runs = [Run(spec) for spec in specs]
    notes: list[str] = []
    with ExitStack() as stack, _progress(console) as progress:
        # A front end that failed the contract is not even started: it gets its failure, never figures.
        _refuse_failed_contract(runs, contract)
        startable = [run for run in runs if run.failure is None]
        task = progress.add_task(f"starting {len(startable)} servers", total=len(startable))
        # Started side by side to save minutes; cold start is measured separately, one launch at a time.
        with ThreadPoolExecutor(max_workers=max(1, len(startable))) as pool:
            for _ in pool.map(lambda run: harness.start(run, stack), startable):
                progress.advance(task)
        _measure_rounds(harness, [run for run in runs if run.failure is None], progress)
        _browser_cross_checks(harness, runs, progress)
    ceilings = _ceilings(runs)
    _cold_starts(harness, runs)
    if not QUICKACK_SUPPORTED:
        notes.append(
            "TCP_QUICKACK is not available here: Streamlit figures include the ~40 ms delayed-ACK artefact."
        )
    results = Results(
        mode=settings.mode,
        quick=settings.mode == "quick",
        smoke=settings.mode == "smoke",
        started_at=started_at,
        finished_at=datetime.now(UTC),
        wall_s=round(time.perf_counter() - clock, 2),
        model={
            "name": harness.predictor.name,
            "version": harness.predictor.version,
            "sha256": harness.predictor.manifest.sha256,
        },
        model_card=harness.predictor.model_card(),
        records={"source": harness.records_source, "count": len(harness.records)},
        environment=describe_environment(harness.server_cores, harness.generator_cores, QUICKACK_SUPPORTED),
        plan=plan.describe(settings),
        contract=contract or _harness_contract(runs),
        targets=[in_process.floor_target(harness.floor_samples), *(_target(run, ceilings) for run in runs)],
        boilerplate=count_front_ends(front_end_names),
        generator_ceilings=ceilings,
        notes=notes,
    )
    return write_results(results, out_dir), results


def _measure_rounds(harness: Harness, live: list[Run], progress: Progress) -> None:
    settings = harness.settings
    plans = {run.spec.label: _settings_of(settings, run.spec) for run in live}

    def rounds(run: Run) -> int:
        return settings.ceiling_repeats if run.spec.kind == "generator_ceiling" else settings.repeats

    steps = sum(rounds(run) * (len(plans[run.spec.label]) + 1) for run in live)
    task = progress.add_task("measuring", total=steps + settings.repeats * len(settings.batch_sizes))
    for round_index in range(settings.repeats):
        for batch_size in settings.batch_sizes:
            progress.update(
                task, description=f"round {round_index + 1}: in-process predict, batch {batch_size}"
            )
            harness.measure_floor(batch_size)
            progress.advance(task)
        # Interleave: every target once per round, starting one later each round, so drifts spread evenly.
        shift = round_index % len(live) if live else 0
        for run in live[shift:] + live[:shift]:
            if round_index >= rounds(run):
                continue
            progress.update(task, description=f"round {round_index + 1}: warm-up {run.spec.label}")
            _guarded(run, partial(harness.warm_up, run))
            progress.advance(task)
            if round_index == 0:
                _guarded(run, partial(harness.note_idle, run))
            for scenario, setting in plans[run.spec.label]:
                progress.update(
                    task, description=f"round {round_index + 1}: {run.spec.label} {scenario} {setting}"
                )
                _guarded(run, partial(harness.measure, run, scenario, setting))
                progress.advance(task)


def _browser_cross_checks(harness: Harness, runs: Sequence[Run], progress: Progress) -> None:
    if not harness.settings.browser_submits:
        return
    chosen = [run for run in runs if not run.spec.is_http and run.failure is None]
    task = progress.add_task("browser cross-check", total=len(chosen))
    for run in chosen:
        progress.update(task, description=f"browser cross-check: {run.spec.label}")
        _guarded(run, partial(harness.browser_cross_check, run))
        progress.advance(task)


def _cold_starts(harness: Harness, runs: Sequence[Run]) -> None:
    launches = harness.settings.cold_start_launches
    for run in runs:
        if launches and run.failure is None and plan.measures_cold_start(harness.settings, run.spec):
            harness.console.print(f"cold start: {run.spec.label} x{launches}")
            for _ in range(launches):
                _guarded(run, partial(_cold_start_once, harness, run))


def _cold_start_once(harness: Harness, run: Run) -> None:
    run.cold_starts_s.append(harness.cold_start(run.spec))


def _settings_of(settings: plan.Settings, spec: TargetSpec) -> list[tuple[str, int]]:
    if not spec.is_http:
        return [("streamlit_sessions", n) for n in settings.streamlit_sessions]
    return plan.http_settings(settings, spec)


def _guarded(run: Run, action: Callable[[], object]) -> None:
    # One failing target must not stop the others being measured; it keeps its failure instead of figures.
    if run.failure is not None:
        return
    try:
        action()
    except KeyboardInterrupt:
        raise
    except Exception as error:
        run.failure = f"{type(error).__name__}: {error}"


def _refuse_failed_contract(runs: Sequence[Run], contract: Sequence[ContractRow]) -> None:
    failed = {row.front_end: row for row in contract if not row.passed}
    for run in runs:
        row = failed.get(run.spec.name)
        if row is not None and run.failure is None:
            run.failure = "failed the contract: " + "; ".join(row.failures[:5])


def _ceilings(runs: Sequence[Run]) -> dict[str, float]:
    """Each generator's ceiling: wrk's throughput against the no-op server, and the highest offered rate the asyncio
    generator keeps up with (delivered, and the no-op server's p99 within CEILING_P99_MS); 0 when it keeps up with none.
    """
    ceilings: dict[str, float] = {}
    for run in runs:
        if run.spec.kind != "generator_ceiling":
            continue
        kept_up = [0.0]
        for (scenario, setting), repeats in run.repeats.items():
            if scenario == "closed_loop":
                ceilings["wrk"] = max(r.throughput for r in repeats)
            elif scenario == "ceiling_open_loop":
                delivered = statistics.median(r.throughput for r in repeats)
                p99 = statistics.median(r.percentiles_ms["99"] for r in repeats)
                if delivered >= CEILING_DELIVERED * setting and p99 <= CEILING_P99_MS:
                    kept_up.append(float(setting))
        if any(scenario == "ceiling_open_loop" for scenario, _ in run.repeats):
            ceilings["asyncio"] = max(kept_up)
    return ceilings


def _target(run: Run, ceilings: dict[str, float]) -> Target:
    measurements: list[Measurement] = []
    if run.failure is None:
        for (scenario, setting), repeats in sorted(run.repeats.items()):
            if scenario == "streamlit_sessions":
                ceiling = None
            elif scenario in ("open_loop", "ceiling_open_loop"):
                ceiling = ceilings.get("asyncio") if run.spec.kind != "generator_ceiling" else None
            else:
                ceiling = ceilings.get("wrk") if run.spec.kind != "generator_ceiling" else None
            measurements.append(measurement(scenario, setting, repeats, ceiling))
        measurements += _resource_measurements(run)
    return Target(
        name=run.spec.name,
        kind=run.spec.kind,
        variant=run.spec.variant,
        workers=run.spec.workers,
        server=run.spec.server,
        verified=run.failure is None,
        failure=run.failure,
        measurements=measurements,
        shipped=run.spec.kind != "front_end" or run.spec.variant == SHIPPED_VARIANTS[run.spec.name],
    )


def _resource_measurements(run: Run) -> list[Measurement]:
    out = []
    if run.cold_starts_s:
        scenario: Scenario = "cold_start" if run.spec.is_http else "streamlit_cold_start"
        out.append(
            Measurement(
                scenario=scenario,
                params={"launches": len(run.cold_starts_s)},
                figures={"seconds": Figure.of("s", run.cold_starts_s)},
            )
        )
    if run.browser_ms:
        out.append(
            Measurement(
                scenario="browser",
                params={"submits": len(run.browser_ms), "varied_feature": run.browser_feature},
                figures={"submit_to_result_ms": Figure.of("ms", run.browser_ms)},
            )
        )
    total, per_process = run.idle_rss
    if total:
        figures = {"idle_rss_mb": Figure.of("MiB", [total / MIB])}
        for index, size in enumerate(per_process):
            figures[f"process_{index}_rss_mb"] = Figure.of("MiB", [size / MIB])
        peaks = [r.peak_rss_mb for repeats in run.repeats.values() for r in repeats]
        if peaks:
            figures["peak_rss_mb"] = Figure.of("MiB", [max(peaks)])
        if not run.spec.is_http:
            for (kind, sessions), repeats in run.repeats.items():
                if kind == "streamlit_sessions" and sessions > 0:
                    per = [(r.peak_rss_mb - total / MIB) / sessions for r in repeats]
                    figures[f"rss_per_session_mb_at_{sessions}"] = Figure.of("MiB", per)
        out.append(Measurement(scenario="memory", params={"processes": len(per_process)}, figures=figures))
    if run.timing:
        out.append(
            Measurement(
                scenario="server_timing",
                params={"requests": SERVER_TIMING_SAMPLES},
                figures={
                    f"{name}_ms": Figure.of("ms", [value]) for name, value in sorted(run.timing.items())
                },
            )
        )
    return out


def _harness_contract(runs: Sequence[Run]) -> list[ContractRow]:
    rows = []
    for run in runs:
        if (
            run.spec.kind == "front_end"
            and run.spec.workers == 1
            and run.spec.variant == SHIPPED_VARIANTS[run.spec.name]
        ):
            failures = [run.failure] if run.failure and run.failure.startswith("wrong answers") else []
            rows.append(
                ContractRow(
                    front_end=run.spec.name,
                    passed=run.failure is None,
                    source="harness answer check (whole bodies of 5 predictions and 1 batch)",
                    checks=6,
                    failures=failures or ([run.failure] if run.failure else []),
                )
            )
    return rows


class LoggedProgress(Progress):
    """Where stderr is no terminal (a CI log, a pipe), each step is a printed line instead of a redrawn bar."""

    def __init__(self, console: Console) -> None:
        super().__init__(TextColumn("{task.description}"), console=console, transient=False)
        self._began = time.monotonic()

    def update(self, task_id: TaskID, *, description: str | None = None, **fields: Any) -> None:
        if description is not None:
            task = self._tasks[task_id]
            elapsed = time.monotonic() - self._began
            self.console.print(
                f"{elapsed:6.0f} s  {description}  ({task.completed:g}/{task.total or 0:g})", markup=False
            )
        super().update(task_id, description=description, **fields)


def _progress(console: Console) -> Progress:
    if not console.is_terminal:
        return LoggedProgress(console)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


__all__ = ["Harness", "execute", "measurement"]
