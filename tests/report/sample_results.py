"""A small, complete results object for report tests, with figures chosen so every verdict is decided."""

from __future__ import annotations

from datetime import UTC, datetime

from benchmarks.results import (
    BoilerplateRow,
    CalibrationProbe,
    ContractRow,
    Environment,
    Figure,
    InstructionCount,
    Measurement,
    PairedRatio,
    Plan,
    Results,
    Stability,
    Target,
    Trial,
)

SLO_MS = 50.0


def fig(unit: str, median: float, spread: float = 0.05) -> Figure:
    return Figure.of(unit, [median * (1 - spread), median, median * (1 + spread)])


def trials(capacity: float) -> list[Trial]:
    """A search per repeat: half the capacity passes, the capacity passes, 1.3× fails on its p99 or on errors."""
    found = []
    for repeat in range(3):
        for rate, p99, errors in (
            (capacity / 2, 8.0, 0),
            (capacity, 41.0, 0),
            (capacity * 1.3, 81.0, 2 * repeat),
        ):
            passed = p99 <= SLO_MS and errors == 0
            why = f"p99 {p99:.1f} ms {'≤' if p99 <= SLO_MS else '>'} {SLO_MS:g} ms" + (
                f", {errors} errors" if errors else ""
            )
            found.append(
                Trial(
                    repeat=repeat,
                    offered_rps=rate,
                    delivered_rps=rate * 0.99,
                    p99_ms=p99,
                    samples=int(rate * 5),
                    errors=errors,
                    refused=0,
                    passed=passed,
                    why=why,
                    # The first search without a CPU figure per trial, as in files before schema 1.7.
                    cpu_us_per_request=None if repeat == 0 else 2_000.0 + 150 * repeat,
                )
            )
    return found


def server(capacity: float) -> Measurement:
    """The Server scenario: capacity at p99 ≤ 50 ms, one value per repeat of the search, with every rate tried."""
    return Measurement(
        scenario="server",
        params={"slo_ms": SLO_MS, "percentile": 99},
        figures={"capacity_rps": fig("req/s", capacity), "p99_ms_at_capacity": fig("ms", 41.0)},
        trials=trials(capacity),
    )


def http(
    name: str,
    p50_c1: float,
    rps_c8: float,
    rss: float,
    cold: float,
    *,
    variant: str = "shipped",
    shipped: bool = True,
    workers: int = 1,
) -> Target:
    measurements = [
        Measurement(
            scenario="closed_loop",
            params={"concurrency": c},
            figures={
                "throughput_rps": fig("req/s", rps_c8 * min(c, 8) / 8 if c < 8 else rps_c8),
                "p50_ms": fig("ms", p50_c1 * max(1, c / 2)),
                "p90_ms": fig("ms", p50_c1 * max(1, c / 2) * 1.3),
                "p99_ms": fig("ms", p50_c1 * max(1, c / 2) * 2),
                "errors": fig("count", 0, 0),
            },
        )
        for c in (1, 8, 32)
    ]
    measurements += [
        Measurement(
            scenario="batch",
            params={"batch_size": b},
            figures={"rows_per_s": fig("rows/s", b * rps_c8 / (1 + b / 100))},
        )
        for b in (1, 10, 100, 1000)
    ]
    measurements += [
        Measurement(
            scenario="memory",
            params={},
            figures={"idle_rss_mb": fig("MB", rss), "peak_rss_mb": fig("MB", rss * 1.1)},
        ),
        Measurement(scenario="cold_start", params={}, figures={"seconds": fig("s", cold)}),
        Measurement(
            scenario="server_timing",
            params={"concurrency": 1},
            figures={
                "parse_ms": fig("ms", 0.01),
                "validate_ms": fig("ms", 0.005),
                "predict_ms": fig("ms", 0.7),
                "serialize_ms": fig("ms", 0.01),
                "total_ms": fig("ms", 0.8),
            },
        ),
    ]
    measurements.append(server(rps_c8 * 0.8 * workers))
    return Target(
        name=name,
        kind="front_end",
        variant=variant,
        workers=workers,
        server="gunicorn" if name == "flask_app" else "uvicorn",
        verified=True,
        measurements=measurements,
        shipped=shipped,
    )


def floor(name: str, p50_c1: float, rps_c8: float) -> Target:
    base = http(name, p50_c1, rps_c8, 170.0, 1.6)
    return base.model_copy(
        update={
            "kind": "server_floor",
            "variant": "default",  # as the harness names a floor's one configuration
            "server": "gunicorn" if name == "wsgi-floor" else "uvicorn",
        }
    )


def streamlit(variant: str, p50: float, reruns: float) -> Target:
    return Target(
        name="streamlit_app",
        kind="front_end",
        variant=variant,
        shipped=variant == "shipped",
        workers=1,
        server="streamlit run",
        verified=True,
        measurements=[
            Measurement(
                scenario="streamlit_sessions",
                params={"sessions": s},
                figures={
                    "p50_ms": fig("ms", p50 * s**0.5),
                    "p99_ms": fig("ms", p50 * s),
                    "throughput_rps": fig("1/s", reruns),
                },
            )
            for s in (1, 8)
        ]
        + [
            Measurement(scenario="memory", params={}, figures={"idle_rss_mb": fig("MB", 230.0)}),
            Measurement(scenario="cold_start", params={}, figures={"seconds": fig("s", 3.5)}),
        ],
    )


def stability(*, stable: bool = True) -> Stability:
    """Probes on both cores before, between rounds and after; an unstable run's core 0 slowed by half."""
    moments = ("before", "after round 1", "after round 2", "after")
    slow = 1.0 if stable else 1.5
    probes = [
        CalibrationProbe(
            moment=moment, core=core, ms=20.0 * (slow if core == 0 and index == 2 else 1.0) + index * 0.1
        )
        for index, moment in enumerate(moments)
        for core in (0, 1)
    ]
    return Stability(
        probes=probes,
        spread=0.02 if stable else 0.5,
        threshold=0.10,
        steal_fraction=0.012,
        stable=stable,
        reasons=[] if stable else ["core 0 after round 2: 30.2 ms against 20.0 ms"],
    )


def paired(
    front_end: str, floor: str, metric: str, label: str, *, median: float, spread: float
) -> PairedRatio:
    """As the harness names them: front end over floor; the floor on top of a throughput-like ratio."""
    ratio = fig("×", median, spread)
    costly, cheap = f"{front_end} (shipped, 1w)", f"{floor} (default, 1w)"
    top, bottom = (cheap, costly) if metric.endswith("_rps") else (costly, cheap)
    return PairedRatio(
        name=f"{costly} over {cheap}: {label}",
        numerator=top,
        denominator=bottom,
        metric=metric,
        ratio=ratio,
        within_noise=ratio.min <= 1.0 <= ratio.max,
    )


PAIRED = (
    paired("flask_app", "wsgi-floor", "p50_ms", "SingleStream p50", median=1.3, spread=0.08),
    # Crosses 1.0: within noise.
    paired("fastapi_app", "asgi-floor", "p50_ms", "SingleStream p50", median=1.04, spread=0.08),
    paired("flask_app", "wsgi-floor", "capacity_rps", "capacity at the SLO", median=1.2, spread=0.05),
)
INSTRUCTIONS = (
    ("flask_app", 8.4e6),
    ("wsgi-floor", 5.6e6),
    ("fastapi_app", 6.0e6),
    ("asgi-floor", 5.1e6),
    ("in-process", 4.9e6),
)


def instructions() -> list[InstructionCount]:
    """Instructions per request under valgrind: Flask's layer 2.8 M (33 %), FastAPI's 0.9 M (15 %)."""
    return [
        InstructionCount(
            target=target, calls=[200, 400], per_request=fig("instructions", count, 0.01), spread=0.02
        )
        for target, count in INSTRUCTIONS
    ]


def legacy(results: Results) -> Results:
    """The same run as a 1.1 file would hold it: none of schema 1.2's keys, no Server scenario."""
    targets = [
        t.model_copy(update={"measurements": [m for m in t.measurements if m.scenario != "server"]})
        for t in results.targets
    ]
    return results.model_copy(
        update={
            "schema_version": "1.1",
            "targets": targets,
            "stability": None,
            "paired_ratios": [],
            "instructions": [],
            "plan": results.plan.model_copy(update={"slo_ms": None}),
        }
    )


def sample_results(*, quick: bool = False, stable: bool = True) -> Results:
    """Flask slower than FastAPI, Streamlit the smallest in lines, FastAPI the lightest in memory (schema 1.2)."""
    started = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    in_process = Target(
        name="in-process",
        kind="floor",
        variant="default",
        workers=1,
        server="none",
        verified=True,
        measurements=[
            Measurement(
                scenario="in_process",
                params={"batch_size": b},
                figures={"p50_ms": fig("ms", 0.7), "rows_per_s": fig("rows/s", b / 0.0007)},
            )
            for b in (1, 100)
        ],
    )
    return Results(
        mode="quick" if quick else "full",
        quick=quick,
        smoke=False,
        started_at=started,
        finished_at=started,
        wall_s=600.0,
        model={"name": "loan", "version": "1.0.0", "sha256": "ab" * 32},
        records={"source": "generated", "count": 200},
        environment=Environment(
            cpu_model="Test CPU",
            cores=2,
            memory_bytes=24 * 2**30,
            os="Linux",
            python="3.11.7",
            libraries={"flask": "3.1.3"},
            git_revision="0" * 40,
            git_dirty=False,
            server_cores=[0],
            generator_cores=[1],
            pinned=True,
            wrk="4.1.0",
            tcp_quickack=True,
        ),
        plan=Plan(
            concurrencies=[1, 8, 32],
            http_only_concurrencies=[64],
            open_loop_fractions=[0.5, 0.9],
            batch_sizes=[1, 10, 100, 1000],
            streamlit_sessions=[1, 8],
            workers=[1, 2],
            repeats=3,
            warmup_s=2,
            measure_s=5,
            cold_start_launches=3,
            estimated_s=900,
            slo_ms=SLO_MS,
        ),
        contract=[
            ContractRow(
                front_end=name, passed=True, source="contract_tests --mode live", checks=60, failures=[]
            )
            for name in ("flask_app", "fastapi_app", "streamlit_app")
        ],
        targets=[
            in_process,
            floor("wsgi-floor", 0.85, 940.0),
            floor("asgi-floor", 0.7, 1780.0),
            http("flask_app", 1.1, 780.0, 190.0, 1.6),
            http("flask_app", 1.2, 700.0, 188.0, 1.6, variant="sync", shipped=False),
            http("fastapi_app", 0.94, 1260.0, 181.0, 1.9),
            http("fastapi_app", 0.94, 1260.0, 181.0, 1.9, workers=2),
            http("fastapi_app", 1.2, 1060.0, 182.0, 2.0, variant="def", shipped=False),
            streamlit("default", 120.0, 7.5),
            streamlit("shipped", 54.0, 35.0),
        ],
        boilerplate=[
            BoilerplateRow(
                front_end="flask_app",
                logical_lines=260,
                files=8,
                dependencies=["flask", "gunicorn"],
                lines_per_concern={
                    "routing": 40,
                    "parsing and validation glue": 50,
                    "error mapping": 40,
                    "docs": 10,
                    "observability": 80,
                    "server config": 40,
                },
            ),
            BoilerplateRow(
                front_end="fastapi_app",
                logical_lines=230,
                files=7,
                dependencies=["fastapi", "uvicorn"],
                lines_per_concern={
                    "routing": 30,
                    "parsing and validation glue": 40,
                    "error mapping": 60,
                    "docs": 20,
                    "observability": 50,
                    "server config": 30,
                },
            ),
            BoilerplateRow(
                front_end="streamlit_app",
                logical_lines=150,
                files=4,
                dependencies=["streamlit"],
                lines_per_concern={
                    "routing": 0,
                    "parsing and validation glue": 60,
                    "error mapping": 20,
                    "docs": 0,
                    "observability": 0,
                    "server config": 30,
                },
            ),
        ],
        stability=stability(stable=stable),
        paired_ratios=list(PAIRED),
        instructions=instructions(),
    )
