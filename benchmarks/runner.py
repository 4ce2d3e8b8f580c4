"""One benchmark run: verify, start every target, measure in interleaved rounds, and write the results file."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress

from benchmarks import affinity, assembly, browser, in_process, plan, resources
from benchmarks.boilerplate import count_front_ends
from benchmarks.calibration import Calibration
from benchmarks.callgrind import UnsupportedMachine
from benchmarks.environment import describe as describe_environment
from benchmarks.exactness import lever_exactness
from benchmarks.instructions import ProbeFailed, count_instructions
from benchmarks.load import LoadSample, open_loop, sequential
from benchmarks.pairing import paired_ratios
from benchmarks.peers.serving import check_peer, predict_request
from benchmarks.progress import progress_for
from benchmarks.records import generated_records, load_records
from benchmarks.repeats import Repeat
from benchmarks.results import ContractRow, InstructionCount, Results, write_results
from benchmarks.rounds import measure_rounds
from benchmarks.runs import Run
from benchmarks.scenarios import Scenario
from benchmarks.streamlit_load import first_page_s, run_sessions
from benchmarks.streamlit_ws import QUICKACK_SUPPORTED
from benchmarks.targets import BATCHED_VARIANT, HTTP_FRONT_ENDS, STREAMLIT, Server, running
from benchmarks.verify import check_answers, expected_answer, run_contract
from benchmarks.wrk import run_wrk
from shared_model import Validator, load_model
from shared_model.system_tools import SystemToolMissing

MIB = 1024 * 1024


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
        self.notes: list[str] = []
        self._stack_lock = threading.Lock()
        self._requests: dict[str, tuple[str, Sequence[bytes]]] = {"v1": ("/v1/predict", self.bodies)}

    def _rotated(self, start: int, size: int) -> list[dict[str, Any]]:
        return [self.records[(start + j) % len(self.records)] for j in range(size)]

    def batch_bodies(self, size: int) -> list[bytes]:
        """Distinct batch bodies of `size` records, rotating through the records."""
        count = max(1, min(20, len(self.records)))
        return [json.dumps({"instances": self._rotated(i, size)}).encode() for i in range(count)]

    def generator_cores_for(self, run: Run) -> list[int]:
        """Where a load generator runs: apart from a one-worker server; anywhere beside a two-worker one."""
        # Two workers get every core; pinning the generator apart would leave one worker nowhere to run.
        return self.generator_cores if run.spec.workers == 1 else []

    def open_loop(self, run: Run, url: str, rate: float, duration_s: float) -> LoadSample:
        """Poisson arrivals at `rate` for `duration_s` from this process, pinned like the other generators."""
        bodies = self.predict_request(run)[1]
        with affinity.pinned(self.generator_cores_for(run)):
            return open_loop(url, bodies, rate=rate, duration_s=duration_s, arrivals="poisson")

    def predict_request(self, run: Run) -> tuple[str, Sequence[bytes]]:
        """The path and single-record bodies of a prediction in the target's protocol, the same records for all."""
        if run.spec.protocol not in self._requests:
            self._requests[run.spec.protocol] = predict_request(
                run.spec.protocol, self.predictor, self.records
            )
        return self._requests[run.spec.protocol]

    def start(self, run: Run, stack: ExitStack) -> None:
        """Start the target, check its answers against in-process predictions, and pin it to the server cores; a
        target that cannot start or answer gets its failure, not figures."""
        run.attempt(partial(self._start, run, stack))

    def _start(self, run: Run, stack: ExitStack) -> None:
        context = running(run.spec, self.model)
        run.server = context.__enter__()
        # Servers start in parallel threads; the stack is shared, so registering the stop is serialised.
        with self._stack_lock:
            stack.push(context.__exit__)
        failures = self._check_answers(run, run.server)
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
        if self.settings.warmup_s <= 0:
            return
        if run.spec.is_http:
            path, bodies = self.predict_request(run)
            run_wrk(
                run.url(path),
                bodies,
                connections=8,
                duration_s=self.settings.warmup_s,
                cores=self.generator_cores_for(run),
            )
        else:
            run_sessions(
                run.url(""),
                self.records,
                self.expected,
                sessions=1,
                warmup_s=0,
                measure_s=self.settings.warmup_s,
            )

    def measure(self, run: Run, scenario: Scenario) -> None:
        """One measured repeat of `scenario` on the target, with the server tree's CPU time and peak RSS."""
        assert run.server is not None
        cpu_before = resources.cpu_seconds(run.server.pid)
        with resources.PeakRss(run.server.pid) as peak:
            repeat = scenario.run(self, run)
        _note(run, scenario, repeat, resources.cpu_seconds(run.server.pid) - cpu_before, peak.peak)

    def measure_together(self, runs: Sequence[Run], scenario: Scenario) -> None:
        """One measured repeat of `scenario` on each target, taking turns; each tree's own CPU time and peak RSS
        (its CPU time over its own requests: the others' work is in their trees). A target whose part failed keeps
        its failure."""
        servers = [run.server for run in runs]
        assert all(server is not None for server in servers)
        pids = [server.pid for server in servers if server is not None]
        cpu_before = [resources.cpu_seconds(pid) for pid in pids]
        with ExitStack() as stack:
            peaks = [stack.enter_context(resources.PeakRss(pid)) for pid in pids]
            repeats = scenario.run_together(self, runs)
        for run, pid, before, peak, repeat in zip(runs, pids, cpu_before, peaks, repeats, strict=True):
            if isinstance(repeat, Exception):
                run.fail(repeat)
            else:
                _note(run, scenario, repeat, resources.cpu_seconds(pid) - before, peak.peak)

    def note_idle(self, run: Run) -> None:
        """Idle RSS of the tree after the warm-up, and the Server-Timing split from sequential requests."""
        assert run.server is not None
        time.sleep(0.3)
        run.idle_rss = resources.rss_bytes(run.server.pid)
        if run.spec.is_http and run.spec.kind == "front_end":
            answers = sequential(run.url("/v1/predict"), self.bodies, assembly.SERVER_TIMING_SAMPLES)
            run.timing = resources.server_timing(a.headers.get("server-timing", "") for a in answers)

    def browser_cross_check(self, runs: Sequence[Run], on_submit: Callable[[], None]) -> None:
        """Click → rendered result in Chromium on every page at once, submits interleaved, on records that differ
        from the form's examples in one feature; a page that shows a wrong answer gets its failure."""
        spec = self.predictor.spec
        feature = browser.varied_feature(spec).name
        records = self.browser_records(feature)
        expected = [expected_answer(self.predictor, self.validator, record) for record in records]
        pages = [(run.url(""), browser.PAGES[run.spec.name]) for run in runs]
        samples = browser.submit_times(
            pages, records, expected, feature, cores=self.generator_cores, on_submit=on_submit
        )
        for run, sample in zip(runs, samples, strict=True):
            if sample.wrong:
                run.failure = "RuntimeError: the browser showed wrong answers: " + "; ".join(sample.wrong[:3])
                continue
            run.browser_ms, run.browser_parts_ms, run.browser_feature = (
                sample.submit_ms,
                sample.parts_ms,
                feature,
            )
            run.browser_beside = [other.spec.name for other in runs if other is not run]

    def browser_records(self, feature: str) -> list[dict[str, Any]]:
        """The form's example with `feature` set from the run's records, neighbours always different."""
        values = [record[feature] for record in self.records]
        # Neighbouring submits must differ, or the second would show the same answer as the first.
        distinct = [value for index, value in enumerate(values) if index == 0 or value != values[index - 1]]
        count = browser.WARMUP_SUBMITS + self.settings.browser_submits
        return [{**self.predictor.spec.example_record(), feature: value} for value in distinct[:count]]

    def _check_answers(self, run: Run, server: Server, count: int | None = None) -> list[str]:
        records, expected = self.records[:count], self.expected[:count]
        spec = run.spec
        if spec.kind == "peer" or spec.protocol == "oip":
            # A peer (or a front end spoken to in OIP) is checked through its own protocol, floats in ULPs.
            check = check_peer(spec.protocol, server.base_url, self.predictor, self.validator, records)
            if count is None:  # the check before measuring, not a cold start's first answer
                run.verification = check.summary()
            return check.failures
        if spec.runtime == "onnx":
            # Its answers are onnxruntime's: bit for bit against the same runtime in process (the gap to
            # scikit-learn's is the results' `exactness`).
            compiled = load_model(self.model, runtime="onnx")
            expected = [expected_answer(compiled, self.validator, record) for record in records]
            return check_answers(spec, server, compiled, self.validator, records=records, expected=expected)
        return check_answers(spec, server, self.predictor, self.validator, records=records, expected=expected)

    def cold_start(self, run: Run) -> float:
        """Launch → first correct prediction (first rendered page for Streamlit), in a fresh process."""
        spec = run.spec
        launched_at = time.perf_counter()
        with running(spec, self.model) as server:
            if spec.is_http:
                self._check_answers(run, server, count=1)
            else:
                first_page_s(server.base_url)
            return time.perf_counter() - launched_at


def execute(
    settings: plan.Settings, model: str, records_path: Path | None, out_dir: Path, console: Console
) -> tuple[Path, Results]:
    """Run the whole plan and write the results file; every server is stopped whatever happens."""
    started_at = datetime.now(UTC)
    clock = time.perf_counter()
    harness = Harness(settings, model, records_path, console)
    specs = plan.targets(settings)
    runs = {spec: Run(spec, plan.scenarios(settings, spec)) for spec in specs}
    _print_plan(harness, list(runs.values()))
    # Described first: the git revision is the code that runs, even if the tree changes while it runs.
    environment = describe_environment(harness.server_cores, harness.generator_cores, QUICKACK_SUPPORTED)
    calibration = Calibration(affinity.available_cores())
    calibration.start()
    front_end_names = [*HTTP_FRONT_ENDS, STREAMLIT]
    contract: list[ContractRow] = []
    if settings.run_contract:
        console.print("verifying: the live contract catalogue (pytest contract_tests --mode live) ...")
        batched = [f"{name}:{BATCHED_VARIANT}" for name in HTTP_FRONT_ENDS]
        contract = run_contract([*front_end_names, *batched], model)
    with ExitStack() as stack, progress_for(console) as progress:
        # A front end that failed the contract is not even started: it gets its failure, never figures.
        assembly.refuse_failed_contract(list(runs.values()), contract)
        startable = [run for run in runs.values() if run.failure is None]
        task = progress.add_task(f"starting {len(startable)} servers", total=len(startable))
        # Started side by side to save minutes; cold start is measured separately, one launch at a time.
        with ThreadPoolExecutor(max_workers=max(1, len(startable))) as pool:
            for _ in pool.map(lambda run: harness.start(run, stack), startable):
                progress.advance(task)
        groups = [[runs[spec] for spec in group] for group in plan.groups(specs)]
        measure_rounds(harness, groups, calibration, progress)
        _browser_cross_checks(harness, list(runs.values()), progress)
    ceilings = assembly.ceilings(list(runs.values()))
    _cold_starts(harness, list(runs.values()))
    stability = calibration.finish()
    instructions = _instructions(harness)
    pairs = [(runs[a], runs[b]) for a, b in [*plan.pairs(specs), *plan.front_end_pairs(specs)]]
    notes = harness.notes
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
        environment=environment,
        plan=plan.describe(settings),
        contract=contract or assembly.harness_contract(list(runs.values())),
        targets=[
            in_process.floor_target(harness.floor_samples),
            *(assembly.target(run, ceilings) for run in runs.values()),
        ],
        boilerplate=count_front_ends(front_end_names),
        generator_ceilings=ceilings,
        notes=notes,
        stability=stability,
        paired_ratios=paired_ratios(pairs, settings.slo_ms),
        exactness=lever_exactness(model, harness.records),
        instructions=instructions,
    )
    return write_results(results, out_dir), results


def _instructions(harness: Harness) -> list[InstructionCount]:
    """Instructions per request under valgrind, after every timed figure: a count keeps both cores busy."""
    calls = harness.settings.instruction_calls
    if calls is None:
        return []
    harness.console.print(
        f"counting instructions per request under valgrind ({calls[0]} and {calls[1]} calls) ..."
    )
    try:
        return count_instructions(harness.model, calls=calls, progress=_say(harness.console))
    except (ProbeFailed, UnsupportedMachine, SystemToolMissing) as error:
        harness.notes.append(f"instruction counts not taken: {error}")
        return []


def _say(console: Console) -> Callable[[str], None]:
    return lambda line: console.print(f"  {line}", markup=False, highlight=False)


def _print_plan(harness: Harness, runs: Sequence[Run]) -> None:
    settings, console = harness.settings, harness.console
    console.print(
        f"[bold]servebench {settings.mode} run[/] on model {harness.model!r}, {len(harness.records)} records "
        f"({harness.records_source}); estimated {plan.estimate_s(settings):.0f} s"
    )
    console.print(f"  {'in-process predict':<34} batch {', '.join(map(str, settings.batch_sizes))}")
    for run in runs:
        console.print(f"  {run.spec.label:<34} {', '.join(map(str, run.scenarios))}", markup=False)


def _note(run: Run, scenario: Scenario, repeat: Repeat, cpu_s: float, peak_rss: int) -> None:
    repeat.cpu_us_per_request = resources.per_request_us(cpu_s, repeat.samples)
    repeat.peak_rss_mb = peak_rss / MIB
    run.repeats[scenario.key].append(repeat)


def _browser_cross_checks(harness: Harness, runs: Sequence[Run], progress: Progress) -> None:
    if not harness.settings.browser_submits:
        return
    chosen = [run for run in runs if browser.measures_page(run.spec) and run.failure is None]
    if not chosen:
        return
    names = " + ".join(run.spec.label for run in chosen)
    task = progress.add_task(
        f"browser cross-check: {names}", total=browser.WARMUP_SUBMITS + harness.settings.browser_submits
    )
    try:
        harness.browser_cross_check(chosen, lambda: progress.advance(task))
    except KeyboardInterrupt:
        raise
    except Exception as error:  # e.g. no Chromium: every page keeps the failure instead of figures
        for run in chosen:
            run.fail(error)


def _cold_starts(harness: Harness, runs: Sequence[Run]) -> None:
    launches = harness.settings.cold_start_launches
    for run in runs:
        if launches and run.failure is None and plan.measures_cold_start(harness.settings, run.spec):
            harness.console.print(f"cold start: {run.spec.label} x{launches}")
            for _ in range(launches):
                run.attempt(partial(_cold_start_once, harness, run))


def _cold_start_once(harness: Harness, run: Run) -> None:
    run.cold_starts_s.append(harness.cold_start(run))


__all__ = ["Harness", "execute"]
