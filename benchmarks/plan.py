"""The benchmark plan: which targets, settings and repeats a mode runs, and how long that should take."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks import browser, in_process
from benchmarks.floors import ASGI_FLOOR, NOOP, WSGI_FLOOR
from benchmarks.peers.serving import DEFAULT_VARIANTS as PEER_DEFAULTS
from benchmarks.peers.serving import VARIANTS as PEER_VARIANTS
from benchmarks.results import DEFAULT_SLO_MS, Mode, Plan, rounds_searched
from benchmarks.scenarios import (
    Batch,
    ClosedLoop,
    GeneratorCeiling,
    PagePeople,
    Scenario,
    Server,
    StreamlitSessions,
)
from benchmarks.targets import (
    ALTERNATIVE_VARIANTS,
    BATCHED_VARIANT,
    HTTP_FRONT_ENDS,
    ONNX_VARIANT,
    SHIPPED_VARIANTS,
    STREAMLIT,
    TargetSpec,
    floor,
    front_end,
    over_oip,
    peer,
)

STARTUP_S = {
    "flask_app": 3.0,
    "fastapi_app": 3.0,
    STREAMLIT: 6.0,
    WSGI_FLOOR: 3.0,
    ASGI_FLOOR: 3.0,
    NOOP: 0.5,
}
# Peers import more than our front ends; BentoML saves the model into its store before it serves.
PEER_STARTUP_S = {"mlserver": 8.0, "bentoml": 14.0}
# The asyncio generator keeps up with a rate when the no-op server's p99 stays this low at it.
CEILING_SLO_MS = 10.0
FLOOR_OF = {"flask_app": WSGI_FLOOR, "fastapi_app": ASGI_FLOOR}
CONTRACT_S = 30.0  # the live catalogue on one model
INSTRUCTIONS_S = 90.0  # two valgrind runs side by side: ~35 s of start-up, then ~10 s per target
# Chromium and the page's first load: Streamlit's runs the app script (imports, model) first, the Flask page's not.
BROWSER_START_S = {"streamlit_app": 6.0, "flask_app": 2.0}
BROWSER_SUBMIT_S = 0.4


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """The knobs of one mode."""

    mode: Mode
    concurrencies: tuple[int, ...]
    http_only_concurrencies: tuple[int, ...] = ()
    slo_ms: float | None = DEFAULT_SLO_MS  # the Server scenario's p99 objective; None: no Server scenario
    search_trials: int = 7  # most trials of one Server search
    trial_queries: int = 600  # fewest queries in one trial of the search (METHOD.md: why 600)
    batch_sizes: tuple[int, ...]
    floor_batches: bool = True  # batch sizes on the server floors too, not only on the front ends
    streamlit_sessions: tuple[int, ...]
    # People at once on the Flask page (served by the shipped Flask at 1 worker), beside Streamlit's sessions.
    page_people: tuple[int, ...] = ()
    two_worker_concurrencies: tuple[int, ...] = ()
    variants: bool = False
    repeats: int
    ceiling_rounds: int | None = None  # rounds that measure the generators' ceiling (None: every round)
    # Rounds of the Server search (None: `repeats`); those past `repeats` search and probe only (CAPACITY_ROUNDS).
    capacity_rounds: int | None = None
    warmup_s: float
    measure_s: float
    cold_start_launches: int
    floor_cold_starts: bool = True  # cold start of the server floors too, not only of the front ends
    browser_submits: int = 0
    run_contract: bool = True
    instruction_calls: tuple[int, int] | None = (
        None  # K and 2K in-process calls counted under valgrind; None: skip
    )
    peers: bool = False  # MLServer and BentoML beside the front ends, and the front ends over OIP (PEERS=1)
    # FastAPI with SERVEBENCH_RUNTIME=onnx beside the shipped one (ONNX=1): c=1 and capacity, ~49 s in the full
    # plan, which without it takes its whole 20 minutes.
    onnx: bool = False
    # Only the model-side levers beside the shipped FastAPI, c=1 and capacity at the SLO (python -m benchmarks.levers).
    levers: bool = False

    @property
    def ceiling_repeats(self) -> int:
        return min(self.repeats, self.ceiling_rounds or self.repeats)

    @property
    def search_repeats(self) -> int:
        """Rounds of the Server search (`results.rounds_searched`)."""
        return rounds_searched(self.repeats, self.capacity_rounds)

    @property
    def workers(self) -> list[int]:
        return [1, 2] if self.two_worker_concurrencies else [1]


FULL = Settings(
    mode="full",
    concurrencies=(1, 8),
    # The front ends' closed-loop curves go on to c=64 (past the 16 a worker admits); their floors stop at 8. c=32 went
    # (24 s) to keep the whole run within 20 minutes once the SLO search retried doubtful trials.
    http_only_concurrencies=(64,),
    batch_sizes=(1, 10, 100, 1000),
    # Batches on the front ends only: the floors' (96 s) made room for the batched variants within 20 minutes.
    floor_batches=False,
    streamlit_sessions=(1, 8),  # 32 sessions took 21 s a round, and no verdict reads them
    page_people=(1, 8),
    two_worker_concurrencies=(8,),
    variants=True,
    repeats=3,
    ceiling_rounds=1,
    # 1.5 s warm-ups and 3 s windows (not 2 and 4): with the SLO search's second trials and the Flask page's people,
    # 2 and 4 took 1,322 s in all (2026-12-02); each window still holds ~1,000 requests at c=1.
    warmup_s=1.5,
    measure_s=3.0,
    cold_start_launches=3,
    browser_submits=20,
    instruction_calls=(20, 40),
)
# Quick keeps what the report's verdicts rest on and drops the floors' batch and cold-start figures, and the live
# contract catalogue (`make contract` runs it; every target's answers are still checked before it is measured).
QUICK = Settings(
    mode="quick",
    concurrencies=(1, 8),
    batch_sizes=(1, 100),
    floor_batches=False,
    streamlit_sessions=(1, 8),
    page_people=(1, 8),
    search_trials=3,
    trial_queries=300,
    repeats=3,
    ceiling_rounds=1,
    warmup_s=0.5,
    measure_s=1.0,
    # One launch each (Streamlit's alone is ~6 s to a painted page): a second took the quick run past 3 minutes, and
    # the full plan's three give the spread.
    cold_start_launches=1,
    floor_cold_starts=False,
    browser_submits=5,
    run_contract=False,
)
SMOKE = Settings(
    mode="smoke",
    concurrencies=(1,),
    batch_sizes=(10,),
    streamlit_sessions=(1,),
    page_people=(1,),
    search_trials=2,
    trial_queries=200,
    repeats=1,
    warmup_s=0.0,
    measure_s=1.0,
    cold_start_launches=0,
    run_contract=False,
)
MODES = {"full": FULL, "quick": QUICK, "smoke": SMOKE}
# The levers of one model (python -m benchmarks.levers): quick-sized trials, five rounds so each lever's ratio to
# the shipped FastAPI has five pairs taken moments apart; about 5 minutes.
LEVERS = Settings(
    mode="quick",
    concurrencies=(1, 8),
    batch_sizes=(),
    streamlit_sessions=(),
    search_trials=5,
    trial_queries=300,
    repeats=5,
    ceiling_rounds=1,
    warmup_s=0.5,
    measure_s=1.0,
    cold_start_launches=0,
    run_contract=False,
    levers=True,
)


def targets(settings: Settings) -> list[TargetSpec]:
    """Every configuration the mode measures, floors first so ratios have their denominators."""
    if settings.levers:
        # The generators' ceiling, the shipped FastAPI and each lever set against it (report/levers.py); the
        # compiled runtime only for a model with an ONNX conversion, or it would measure scikit-learn again.
        compiled = [front_end("fastapi_app", ONNX_VARIANT)] if settings.onnx else []
        return [
            floor(NOOP),
            front_end("fastapi_app"),
            front_end("fastapi_app", workers=2),
            front_end("fastapi_app", BATCHED_VARIANT),
            *compiled,
            front_end("flask_app"),
        ]
    chosen = [floor(NOOP), floor(WSGI_FLOOR), floor(ASGI_FLOOR)]
    chosen += [front_end(name) for name in HTTP_FRONT_ENDS]
    chosen.append(front_end(STREAMLIT))
    if settings.variants:
        chosen += [front_end(name, ALTERNATIVE_VARIANTS[name]) for name in (*HTTP_FRONT_ENDS, STREAMLIT)]
        chosen += [front_end(name, BATCHED_VARIANT) for name in HTTP_FRONT_ENDS]
    if settings.onnx:
        # The compiled runtime on one front end: the runtime, not the framework, is what it measures.
        chosen.append(front_end("fastapi_app", ONNX_VARIANT))
    if settings.two_worker_concurrencies:
        chosen += [floor(WSGI_FLOOR, 2), floor(ASGI_FLOOR, 2)]
        chosen += [front_end(name, workers=2) for name in HTTP_FRONT_ENDS]
    if settings.peers:
        # Each peer's documented default; MLServer's alternatives (no pool, adaptive batching) with the variants.
        chosen += [
            peer(name, variant)
            for name, variants in PEER_VARIANTS.items()
            for variant in variants
            if settings.variants or variant == PEER_DEFAULTS[name]
        ]
        chosen += [over_oip(name) for name in HTTP_FRONT_ENDS]
    return chosen


def scenarios(settings: Settings, target: TargetSpec) -> list[Scenario]:
    """What a target runs each round, in order: closed loops first (the Server search starts from c=8's figure)."""
    if not target.is_http:
        return [StreamlitSessions(n) for n in settings.streamlit_sessions]
    server: list[Scenario] = [Server(settings.slo_ms)] if settings.slo_ms is not None else []
    if target.kind == "generator_ceiling":
        highest = max(settings.concurrencies + settings.http_only_concurrencies)
        ceiling = [GeneratorCeiling(CEILING_SLO_MS)] if server else []
        return [ClosedLoop(highest), *ceiling]
    if settings.levers:
        # c=8's throughput is where each lever's Server search starts, and a second, stall-tolerant comparison.
        return [*(ClosedLoop(c) for c in settings.concurrencies), *server]
    if target.workers > 1:
        return [*(ClosedLoop(c) for c in settings.two_worker_concurrencies), *server]
    if target.kind == "peer" or target.protocol == "oip":
        # SingleStream and the Server search (which starts from c=8's figure); a peer's alternatives skip c=1.
        alternative = target.kind == "peer" and target.variant != PEER_DEFAULTS[target.name]
        return [*(ClosedLoop(c) for c in settings.concurrencies[:2] if not (alternative and c == 1)), *server]
    if target.kind == "front_end" and target.variant in (BATCHED_VARIANT, ONNX_VARIANT):
        # What batching or the compiled runtime buys and costs: capacity at the SLO (its search starts from c=1's
        # figure) and c=1 latency.
        return [ClosedLoop(1), *server]
    if target.kind == "front_end" and target.variant != SHIPPED_VARIANTS[target.name]:
        return [ClosedLoop(c) for c in settings.concurrencies[:2]]
    levels = settings.concurrencies + (settings.http_only_concurrencies if target.kind == "front_end" else ())
    chosen: list[Scenario] = [ClosedLoop(c) for c in levels]
    chosen += server
    if target.kind == "front_end" or settings.floor_batches:
        chosen += [Batch(size) for size in settings.batch_sizes]
    if browser.measures_page(target):
        # The page for people the same server renders (Streamlit's people are its sessions above).
        chosen += [PagePeople(n) for n in settings.page_people]
    return chosen


def pairs(specs: list[TargetSpec]) -> list[tuple[TargetSpec, TargetSpec]]:
    """(front end, its floor) for every shipped HTTP front end whose floor runs at the same worker count."""
    present = set(specs)
    found = []
    for spec in specs:
        if (
            spec.kind == "front_end"
            and spec.name in FLOOR_OF
            and spec.variant == SHIPPED_VARIANTS[spec.name]
            and spec.protocol == "v1"  # a front end over OIP is measured beside the peers, not its floor
        ):
            partner = floor(FLOOR_OF[spec.name], spec.workers)
            if partner in present:
                found.append((spec, partner))
    return found


def front_end_pairs(specs: list[TargetSpec]) -> list[tuple[TargetSpec, TargetSpec]]:
    """(Flask, FastAPI) in their shipped variants at every worker count both run at."""
    shipped = {
        (spec.name, spec.workers): spec
        for spec in specs
        if spec.kind == "front_end"
        and spec.variant == SHIPPED_VARIANTS.get(spec.name)
        and spec.protocol == "v1"
    }
    return [
        (shipped[("flask_app", workers)], shipped[("fastapi_app", workers)])
        for workers in sorted({workers for _, workers in shipped})
        if ("flask_app", workers) in shipped and ("fastapi_app", workers) in shipped
    ]


def groups(specs: list[TargetSpec]) -> list[list[TargetSpec]]:
    """Targets measured scenario by scenario side by side, so their ratios pair repeats taken moments apart.

    Each worker count's shipped HTTP front ends and their floors form one group (front end beside its floor); every
    other target is a group of its own.
    """
    grouped: dict[int, list[TargetSpec]] = {}
    for front, partner in pairs(specs):
        grouped.setdefault(front.workers, []).extend([front, partner])
    members = {spec for group in grouped.values() for spec in group}
    chosen: list[list[TargetSpec]] = []
    for spec in specs:
        if spec not in members:
            chosen.append([spec])
        elif spec.workers in grouped:
            chosen.append(grouped.pop(spec.workers))
    return chosen


def measures_cold_start(settings: Settings, target: TargetSpec) -> bool:
    """Cold start is measured for each front end's shipped configuration (and the floors), at 1 worker."""
    if not settings.cold_start_launches or target.workers != 1 or target.kind == "generator_ceiling":
        return False
    if target.kind == "server_floor":
        return settings.floor_cold_starts
    if target.kind == "peer":
        return target.variant == PEER_DEFAULTS[target.name]
    return target.protocol == "v1" and target.variant == SHIPPED_VARIANTS[target.name]


def rounds_of(settings: Settings, target: TargetSpec, scenario: Scenario) -> int:
    """How many rounds measure `scenario` on `target`: the generators' ceiling its own, the Server search
    `search_repeats` (capacity-only rounds included), everything else `repeats`."""
    if target.kind == "generator_ceiling" or not isinstance(scenario, Server):
        return full_rounds(settings, target)
    return settings.search_repeats


def full_rounds(settings: Settings, target: TargetSpec) -> int:
    """How many of the plan's rounds a target takes part in (warm-up included): the generators' ceiling its own, every
    other target all of them; capacity-only rounds come after."""
    return settings.ceiling_repeats if target.kind == "generator_ceiling" else settings.repeats


def warms_up(target: TargetSpec, round_index: int) -> bool:
    """Whether the target's round begins with the warm-up: every round, but a batched or ONNX variant's first only.

    A batched (or ONNX) variant's rounds begin at c=1 (one connection, no pool to grow) on a server its first round warmed;
    sparing its later warm-ups keeps the full plan within its 20 minutes.
    """
    return round_index == 0 or target.variant not in (BATCHED_VARIANT, ONNX_VARIANT)


def estimate_s(settings: Settings) -> float:
    """Expected wall time: launches, contract run, then rounds of warm-up + measurement per configuration."""
    total = CONTRACT_S if settings.run_contract else 0.0
    total += INSTRUCTIONS_S if settings.instruction_calls else 0.0
    total += settings.repeats * len(settings.batch_sizes) * (in_process.WARMUP_S + in_process.MEASURE_S)
    for target in targets(settings):
        # Servers start side by side (about the slowest one's time); cold-start launches run one by one.
        if measures_cold_start(settings, target):
            total += settings.cold_start_launches * {**STARTUP_S, **PEER_STARTUP_S}[target.name]
        chosen = scenarios(settings, target)
        total += sum(
            rounds_of(settings, target, scenario) * scenario.duration_s(settings) for scenario in chosen
        )
        total += settings.warmup_s * sum(warms_up(target, i) for i in range(full_rounds(settings, target)))
        if browser.measures_page(target) and settings.browser_submits:
            total += BROWSER_START_S[target.name] + (settings.browser_submits + 2) * BROWSER_SUBMIT_S
    return total + max(STARTUP_S.values()) * 2


def describe(settings: Settings) -> Plan:
    """The plan as recorded in the results file."""
    return Plan(
        concurrencies=list(settings.concurrencies),
        http_only_concurrencies=list(settings.http_only_concurrencies),
        open_loop_fractions=[],
        batch_sizes=list(settings.batch_sizes),
        streamlit_sessions=list(settings.streamlit_sessions),
        workers=settings.workers,
        repeats=settings.repeats,
        warmup_s=settings.warmup_s,
        measure_s=settings.measure_s,
        cold_start_launches=settings.cold_start_launches,
        browser_submits=settings.browser_submits,
        page_people=list(settings.page_people),
        estimated_s=round(estimate_s(settings), 1),
        slo_ms=settings.slo_ms,
        peers=settings.peers,
        onnx=settings.onnx,
        capacity_rounds=settings.search_repeats if settings.search_repeats > settings.repeats else None,
    )
