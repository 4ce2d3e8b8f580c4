"""From what a run gathered to the results file's targets: figures per scenario, resources, the contract rows."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from benchmarks.results import ContractRow, Figure, Measurement, Target
from benchmarks.results import Scenario as Recorded
from benchmarks.runs import Run
from benchmarks.scenarios import ClosedLoop, GeneratorCeiling
from benchmarks.targets import SHIPPED_VARIANTS

MIB = 1024 * 1024
SERVER_TIMING_SAMPLES = 100


def ceilings(runs: Sequence[Run]) -> dict[str, float]:
    """Each generator's ceiling against the no-op server: wrk's throughput at its highest concurrency, and the
    asyncio generator's capacity at a p99 of the ceiling search's objective (0 when it keeps up with no rate)."""
    found: dict[str, float] = {}
    for run in runs:
        if run.spec.kind != "generator_ceiling" or run.failure:
            continue
        for scenario in run.scenarios:
            repeats = run.repeats.get(scenario.key, [])
            if not repeats:
                continue
            if isinstance(scenario, ClosedLoop):
                found["wrk"] = max(r.throughput for r in repeats)
            elif isinstance(scenario, GeneratorCeiling):
                found["asyncio"] = statistics.median(r.throughput for r in repeats)
    return found


def target(run: Run, generator_ceilings: dict[str, float]) -> Target:
    """The results file's view of one target: its figures, or its failure and none."""
    measurements: list[Measurement] = []
    if run.failure is None:
        for scenario in run.scenarios:
            repeats = run.repeats.get(scenario.key, [])
            if repeats:
                ceilings_here = {} if run.spec.kind == "generator_ceiling" else generator_ceilings
                measurements.append(scenario.measurement(repeats, ceilings_here))
        measurements += resource_measurements(run)
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
        protocol=run.spec.protocol,
        verification=run.verification,
        runtime=run.spec.runtime,
    )


def resource_measurements(run: Run) -> list[Measurement]:
    """Cold start, the browser's click → result, memory and the Server-Timing split of one target."""
    out = []
    if run.cold_starts_s:
        scenario: Recorded = "cold_start" if run.spec.is_http else "streamlit_cold_start"
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
                params={
                    "submits": len(run.browser_ms),
                    "varied_feature": run.browser_feature,
                    # Submit i here and submit i of these pages were taken moments apart: their ratio pairs.
                    **({"interleaved_with": ",".join(run.browser_beside)} if run.browser_beside else {}),
                },
                # submit_to_result_ms is the click to the painted answer; the parts say where it went.
                figures={
                    "submit_to_result_ms": Figure.of("ms", run.browser_ms),
                    **{
                        f"{part}_ms": Figure.of("ms", times)
                        for part, times in run.browser_parts_ms.items()
                        if part != "rendered" and times
                    },
                },
            )
        )
    memory = _memory(run)
    if memory is not None:
        out.append(memory)
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


def _memory(run: Run) -> Measurement | None:
    total, per_process = run.idle_rss
    if not total:
        return None
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
                figures[f"rss_per_session_mb_at_{sessions:g}"] = Figure.of("MiB", per)
    return Measurement(scenario="memory", params={"processes": len(per_process)}, figures=figures)


def harness_contract(runs: Sequence[Run]) -> list[ContractRow]:
    """Without the contract suite (smoke runs): the harness's own answer check, one row per shipped front end."""
    rows = []
    for run in runs:
        if (
            run.spec.kind == "front_end"
            and run.spec.workers == 1
            and run.spec.variant == SHIPPED_VARIANTS[run.spec.name]
            and run.spec.protocol == "v1"
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


def refuse_failed_contract(runs: Sequence[Run], contract: Sequence[ContractRow]) -> None:
    """A front end that failed the contract keeps its failure and is never started or measured."""
    failed = {row.front_end: row for row in contract if not row.passed}
    for run in runs:
        row = failed.get(run.spec.name) or failed.get(f"{run.spec.name}:{run.spec.variant}")
        if row is not None and run.failure is None:
            run.failure = "failed the contract: " + "; ".join(row.failures[:5])
