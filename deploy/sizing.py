"""Pod memory from a benchmark run: requests from the measured idle RSS, limits from the measured peak.

`python -m deploy.sizing [RESULTS.json]` prints them; the manifests in deploy/kubernetes/ carry the figures of
docs/example-report/results.json, and tests/deploy/test_manifests.py checks that they still follow from it.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXAMPLE_RESULTS = Path(__file__).resolve().parent.parent / "docs" / "example-report" / "results.json"
POD_WORKERS = 2  # one worker per core, as measured; a pod asks for 2 CPUs
HEADROOM = 1.25  # over the peak: a run's peak is one sample of what a pod will see
STEP_MIB = 64
# The shipped variant of each HTTP front end, as the benchmark names its targets.
SHIPPED = {"flask": ("flask_app", "gthread"), "fastapi": ("fastapi_app", "async")}


@dataclass(frozen=True, slots=True)
class PodMemory:
    """A pod's memory request and limit in MiB, and the measured figures they come from."""

    request_mib: int
    limit_mib: int
    idle_mib: float
    peak_mib: float
    growth_per_worker_mib: float


def _figure(target: dict[str, Any], scenario: str, name: str) -> float:
    values = [
        measurement["figures"][name]["median"]
        for measurement in target["measurements"]
        if measurement["scenario"] == scenario and name in measurement["figures"]
    ]
    if not values:
        raise ValueError(f"{target['name']} ({target['workers']} workers) has no {scenario} {name}")
    return float(max(values))


def _target(results: dict[str, Any], name: str, variant: str, workers: int) -> dict[str, Any]:
    for target in results["targets"]:
        if (target["name"], target["variant"], target["workers"]) == (name, variant, workers):
            return dict(target)
    raise ValueError(f"the run has no {name} {variant} with {workers} workers")


def _step_up(mib: float) -> int:
    return math.ceil(mib / STEP_MIB) * STEP_MIB


def pod_memory(results: dict[str, Any], front_end: str) -> PodMemory:
    """Request: the idle RSS of the whole tree at POD_WORKERS workers. Limit: its peak, plus each worker's growth
    under the largest batch (measured at one worker only), times HEADROOM."""
    name, variant = SHIPPED[front_end]
    one = _target(results, name, variant, 1)
    pod = _target(results, name, variant, POD_WORKERS)
    idle = _figure(pod, "memory", "idle_rss_mb")
    growth = _figure(one, "batch", "peak_rss_mb") - _figure(one, "memory", "idle_rss_mb")
    peak = max(_figure(pod, scenario, "peak_rss_mb") for scenario in ("memory", "server"))
    limit = _step_up(HEADROOM * (peak + POD_WORKERS * growth))
    return PodMemory(_step_up(idle), limit, idle, peak, growth)


def main(argv: list[str]) -> int:
    """Print each HTTP front end's pod memory from a results file (default: the example report's run)."""
    path = Path(argv[0]) if argv else EXAMPLE_RESULTS
    results = json.loads(path.read_text())
    print(f"{path} (run {results['started_at']}, git {results['environment'].get('git_revision', '?')[:7]})")
    for front_end in SHIPPED:
        memory = pod_memory(results, front_end)
        print(
            f"{front_end}: requests {memory.request_mib}Mi (idle {memory.idle_mib:.1f} MiB), limits "
            f"{memory.limit_mib}Mi (peak {memory.peak_mib:.1f} + {POD_WORKERS} x {memory.growth_per_worker_mib:.1f} "
            f"MiB, x {HEADROOM})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
