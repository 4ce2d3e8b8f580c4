"""The results file: one versioned pydantic schema that the harness writes and the report reads."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# 1.1 added `model_card`, `generator_ceilings`, the in-process floor, the `browser` scenario and
# `plan.browser_submits`; 1.2 added `stability`, `paired_ratios`, `instructions`, the `server` scenario with its
# `trials`, and `plan.slo_ms`; 1.3 the `peer` targets (MLServer, BentoML) with `plan.peers`, and each target's
# `protocol` and `verification`; 1.4 each target's `runtime` and the levers' `exactness`; 1.5 the Flask page's
# `page_people` scenario with `plan.page_people`, and each boilerplate row's `page_lines` by language; 1.6 the
# `browser` scenario's `interleaved_with` (its submits taken in turn with those pages', so they pair); 1.7 each
# Server trial's `cpu_us_per_request` (the server's CPU per request over that trial); 1.8 `plan.capacity_rounds`
# (rounds of the Server search past `repeats`). 1.0 to 1.7 files still read.
SCHEMA_VERSION: Literal["1.8"] = "1.8"
SchemaVersion = Literal["1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8"]
Mode = Literal["full", "quick", "smoke"]
# The Server scenario's p99 objective unless one is asked for (`make bench SLO_MS=…`), as `plan.slo_ms` records it.
DEFAULT_SLO_MS = 50.0
TargetKind = Literal["floor", "server_floor", "front_end", "generator_ceiling", "peer"]
Scenario = Literal[
    "in_process",
    "closed_loop",
    "open_loop",
    "batch",
    "cold_start",
    "memory",
    "cpu",
    "server_timing",
    "streamlit_sessions",
    "streamlit_cold_start",
    "browser",
    "server",  # MLPerf's Server scenario: the highest Poisson arrival rate whose p99 stays within the SLO
    "page_people",  # 1.5: people posting the Flask page's form at once (Streamlit's are `streamlit_sessions`)
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Figure(Strict):
    """One measured quantity: every repeat's value, and their min, median and max."""

    unit: str
    repeats: list[float]
    min: float
    median: float
    max: float
    flagged: bool = False
    note: str | None = None

    @classmethod
    def of(cls, unit: str, repeats: list[float], flagged: bool = False, note: str | None = None) -> Figure:
        """A figure from its repeats (at least one)."""
        return cls(
            unit=unit,
            repeats=list(repeats),
            min=min(repeats),
            median=statistics.median(repeats),
            max=max(repeats),
            flagged=flagged,
            note=note,
        )


class Trial(Strict):
    """One rate tried by the Server scenario's search, and whether it held the latency objective."""

    repeat: int  # which repeat of the search (0-based)
    offered_rps: float
    delivered_rps: float
    p99_ms: float
    samples: int
    errors: int
    refused: int
    passed: bool
    why: str  # "p99 12.3 ms ≤ 50 ms" or the reason it failed ("p99 81.0 ms > 50 ms", "3 errors", ...)
    # 1.7: the server tree's CPU time over the trial per request sent; the host's speed as the server saw it
    cpu_us_per_request: float | None = None


class Measurement(Strict):
    """One scenario at one setting (e.g. closed loop at c=8) on one target."""

    scenario: Scenario
    params: dict[str, float | int | str]
    figures: dict[str, Figure]
    failure: str | None = None
    trials: list[Trial] = Field(default_factory=list)  # the Server scenario's search, every rate tried

    @property
    def params_text(self) -> str:
        """`concurrency=8, batch_size=100`: the parameters as tables show them."""
        return ", ".join(f"{key}={value}" for key, value in self.params.items())


class Target(Strict):
    """A thing measured: a front end, a baseline, or a generator's no-op ceiling, in one configuration."""

    name: str
    kind: TargetKind
    variant: str
    workers: int
    server: str
    verified: bool
    failure: str | None = None
    measurements: list[Measurement] = Field(default_factory=list)
    shipped: bool = True  # the configuration the project ships (False for a named alternative variant)
    # 1.3: predictions sent as our /v1/predict JSON, or as Open Inference Protocol v2 infer requests.
    protocol: Literal["v1", "oip"] = "v1"
    verification: str | None = None  # how a peer (or a front end over OIP) was checked before it was measured
    # 1.4: which library predicts: scikit-learn, or onnxruntime on the model's ONNX conversion (variant `onnx`).
    runtime: Literal["sklearn", "onnx"] = "sklearn"

    @property
    def label(self) -> str:
        """`flask_app (gthread, 1w)`: how progress, tables and paired ratios name this configuration."""
        return target_label(self.name, self.variant, self.workers, self.protocol)


def target_label(name: str, variant: str, workers: int, protocol: str = "v1") -> str:
    """`name (variant, Nw)`, with `, OIP` for predictions sent in the Open Inference Protocol."""
    over = ", OIP" if protocol == "oip" else ""
    return f"{name} ({variant}, {workers}w{over})"


class ContractRow(Strict):
    """Did this front end answer the contract before it was measured? Failures are kept, figures are not."""

    front_end: str
    passed: bool
    source: str
    checks: int
    failures: list[str]


class BoilerplateRow(Strict):
    """One front end's code size by pygount: code lines only, per concern."""

    front_end: str
    logical_lines: int
    files: int
    dependencies: list[str]
    lines_per_concern: dict[str, int]
    # 1.5: the lines its page for people takes by language ("Python", "HTML/Jinja", "CSS", "JavaScript"); empty when
    # the front end has no page (or the file predates 1.5).
    page_lines: dict[str, int] = Field(default_factory=dict)


class Environment(Strict):
    """Where and with what the figures were taken."""

    cpu_model: str
    cores: int
    memory_bytes: int
    os: str
    python: str
    libraries: dict[str, str]
    git_revision: str
    git_dirty: bool
    server_cores: list[int]
    generator_cores: list[int]
    pinned: bool
    wrk: str | None
    tcp_quickack: bool


class Plan(Strict):
    """What was asked for, so the report can tell a quick run from a full one."""

    concurrencies: list[int]
    http_only_concurrencies: list[int]
    open_loop_fractions: list[float]
    batch_sizes: list[int]
    streamlit_sessions: list[int]
    workers: list[int]
    repeats: int
    warmup_s: float
    measure_s: float
    cold_start_launches: int
    browser_submits: int = 0
    page_people: list[int] = Field(default_factory=list)  # 1.5: people at once on the Flask page
    estimated_s: float
    slo_ms: float | None = None  # the Server scenario's latency objective on p99
    peers: bool = False  # MLServer and BentoML measured beside the front ends (PEERS=1)
    onnx: bool = False  # 1.4: FastAPI on the compiled runtime measured beside the shipped one (ONNX=1)
    capacity_rounds: int | None = None  # 1.8: rounds of the Server search, when more than `repeats`

    @property
    def search_repeats(self) -> int:
        """How many rounds searched each target's capacity."""
        return rounds_searched(self.repeats, self.capacity_rounds)


def rounds_searched(repeats: int, capacity_rounds: int | None) -> int:
    """Rounds of the Server search: every one of the plan's rounds, and any capacity-only rounds after them."""
    return max(repeats, capacity_rounds or repeats)


class CalibrationProbe(Strict):
    """A fixed CPU-bound loop timed on one core at one moment of the run."""

    moment: str  # "before", "after round 1", ..., "after"
    core: int
    ms: float  # median of the probe's timed loops


class Stability(Strict):
    """Was the machine steady while the figures were taken? The calibration probes and what they imply."""

    probes: list[CalibrationProbe]
    spread: float  # largest (max − min) / min of one core's probe times over the run
    threshold: float  # a spread above this marks the run unstable
    steal_fraction: float  # CPU time the host took (/proc/stat steal) over the run's CPU time
    stable: bool
    reasons: list[str]  # why the run is unstable (empty when stable)


class PairedRatio(Strict):
    """A front end over its floor, each pair measured back to back in one repeat; the figure is the ratio's spread."""

    name: str  # "flask_app/wsgi-floor p50 at c=1"
    numerator: str  # target label
    denominator: str
    metric: str  # "p50_ms"
    ratio: Figure  # unit "×": one ratio per pair
    within_noise: bool  # the ratio's min–max range crosses 1.0: no finding


class InstructionCount(Strict):
    """Instructions per request of an app called in-process under valgrind: a twin of wall time that does not drift."""

    target: str  # "flask_app", "wsgi-floor", "fastapi_app", "asgi-floor", "in-process"
    calls: list[int]  # the two call counts whose difference is measured, e.g. [200, 400]
    per_request: Figure  # unit "instructions": one value per valgrind run
    spread: float  # (max − min) / median of per_request over the runs


class Exactness(Strict):
    """What a model-side lever costs in exactness: its answers against scikit-learn's for each record alone (1.4)."""

    # A gap to a reference of exactly 0 (a forest's unanimous class) is infinitely far relatively: written "Infinity"
    # (JSON has no such number, and pydantic would write null, which does not read back as a float).
    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_inf_nan="strings")

    lever: str  # "onnx", "batched"
    how: str  # what was compared, in words
    rows: int
    labels_differing: int
    max_abs: float  # largest absolute gap of any float (probability, or a regressor's value)
    max_rel: float  # ... relative to scikit-learn's value
    max_ulps: int  # ... in representable doubles between the two
    max_epsilons: float  # ... in machine epsilons at the value's scale (at least 1)


class Results(Strict):
    """Everything one `python -m benchmarks` run produced."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    mode: Mode
    quick: bool
    smoke: bool
    started_at: datetime
    finished_at: datetime
    wall_s: float
    model: dict[str, str]
    model_card: dict[str, Any] = Field(default_factory=dict)
    records: dict[str, str | int]
    environment: Environment
    plan: Plan
    contract: list[ContractRow]
    targets: list[Target]
    boilerplate: list[BoilerplateRow]
    # Requests per second each load generator reaches against the no-op server ("wrk", "asyncio").
    generator_ceilings: dict[str, float] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
    stability: Stability | None = None
    paired_ratios: list[PairedRatio] = Field(default_factory=list)
    instructions: list[InstructionCount] = Field(default_factory=list)
    exactness: list[Exactness] = Field(default_factory=list)  # 1.4


def results_path(out_dir: Path, started_at: datetime) -> Path:
    """`<out_dir>/<UTC timestamp>.json`, sortable by name."""
    return out_dir / f"{started_at.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"


def write_results(results: Results, out_dir: Path) -> Path:
    """Write the results file and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = results_path(out_dir, results.started_at)
    path.write_text(results.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def read_results(path: Path) -> Results:
    """Read and validate a results file (raises pydantic.ValidationError on a malformed one)."""
    return Results.model_validate_json(path.read_text(encoding="utf-8"))
