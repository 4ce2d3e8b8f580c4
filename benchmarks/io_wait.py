"""I/O in the request path: each HTTP front end's capacity at the latency SLO while every prediction waits on Redis.

    python -m benchmarks.io_wait [--delays 0,1,5,20] [--slo-ms 50] [--repeats 3]      (make bench-io)

The `loan_store` model looks each account up in a real redis-server, reached through a delaying TCP proxy
(benchmarks.delay_proxy: this VM has no netem) that adds 0, 1, 5 or 20 ms to every round trip on the store's link
only. For each target (one worker each: Flask's gthread worker with 4 threads, the same with 16 threads, FastAPI's
event loop) and delay, the Server scenario's search (Poisson arrivals, p99 from intended send times, no errors or
refusals) finds the highest rate within the SLO. Repeats are interleaved; figures are min/median/max over them.
Every answer of the warm-up must be 200, or the target is not measured. Results: benchmarks/results/io-<UTC>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import load, slo_search
from benchmarks.environment import git_revision
from benchmarks.faults import closed_loop
from benchmarks.servers import running_delay_proxy, running_server
from shared_model.loopback import free_port
from shared_model.store_server import running_store

MODEL = "loan_store"
DELAYS_MS = (0.0, 1.0, 5.0, 20.0)
SLO_MS = 50.0
REPEATS = 3
START_RPS = 40.0  # the first search's first rate; later repeats start at the median found so far
WARM_UP = 100  # sequential requests after each proxy start: every one must be 200
# Then concurrent ones, so the store pools hold all their connections before a trial: a connection opened during one
# pays its handshakes at the link's delay, and at +20 ms that failed the first trial and capped the search below it.
WARM_CONNECTIONS = 32
WARM_CONCURRENT_S = 2.0
STORE_TIMEOUT_MS = "1000"  # far above any added delay: a slow lookup is measured, not refused
RESULTS_DIR = Path(__file__).resolve().parent / "results"
ACCOUNTS = 200


@dataclass(frozen=True, slots=True)
class IoTarget:
    """A front end as measured here: its launcher and what its environment adds."""

    name: str
    launcher: str
    env: dict[str, str] = field(default_factory=dict)
    threads: int | None = None  # gunicorn threads; None for an event loop


TARGETS = (
    # gunicorn reads GUNICORN_CMD_ARGS over its config file: the shipped config with only the thread count changed
    # (the shipped 2 suit a CPU-bound model; a model that waits on I/O is where more threads pay).
    IoTarget("flask gthread 4 threads", "flask_app", {"GUNICORN_CMD_ARGS": "--threads=4"}, threads=4),
    IoTarget("flask gthread 16 threads", "flask_app", {"GUNICORN_CMD_ARGS": "--threads=16"}, threads=16),
    IoTarget("fastapi async", "fastapi_app"),
)


def request_bodies() -> list[bytes]:
    """Requests for ACCOUNTS different accounts (so the store answers different rows), as a client sends them."""
    return [
        json.dumps({"account_id": account, "age": 30 + account % 40, "loan_amount": 1000.0 + account,
                    "home_ownership": ("rent", "own", "mortgage")[account % 3]}).encode()
        for account in range(1, ACCOUNTS + 1)
    ]  # fmt: skip


def measure(
    url: str, bodies: list[bytes], slo_ms: float, start_rps: float, growth: float
) -> slo_search.Outcome:
    """The Server scenario's search against `url`, refusals counted as misses of the p99 (as the full run counts them)."""

    def trial(rate: float) -> slo_search.TrialLoad:
        judged = load.poisson_trial(url, bodies, rate)
        print(
            f"      {rate:7.1f}/s: p99 {judged.p99_ms:7.1f} ms, {judged.errors} errors, {judged.refused} refused"
        )
        return judged

    return slo_search.search(slo_search.searching(slo_ms, start_rps, growth), trial)


def warm_up(url: str, bodies: list[bytes]) -> None:
    """WARM_UP sequential requests (some 200, nothing but 200 or a 503 `overloaded` refusal, or no measurement),
    then WARM_CONNECTIONS at once to fill the store pools."""
    answers = load.sequential(url, bodies, WARM_UP)
    wrong = [a for a in answers if a.status != 200 and not (a.status == 503 and b'"overloaded"' in a.body)]
    if wrong or not any(answer.status == 200 for answer in answers):
        shown = wrong[0] if wrong else answers[-1]
        raise RuntimeError(f"warm-up answered {shown.status}: {shown.body[:300]!r}")
    closed_loop(url, bodies, connections=WARM_CONNECTIONS, duration_s=WARM_CONCURRENT_S)


def run(delays: tuple[float, ...], slo_ms: float, repeats: int) -> dict[str, Any]:
    """Every target at every delay, `repeats` times interleaved; the results as a JSON-ready dict."""
    bodies = request_bodies()
    found: dict[tuple[str, float], list[dict[str, float]]] = {}
    with running_store(MODEL) as store:
        proxy_port = free_port()
        env = {
            "SERVEBENCH_STORE_URL": f"redis://127.0.0.1:{proxy_port}/0",
            "SERVEBENCH_STORE_TIMEOUT_MS": STORE_TIMEOUT_MS,
        }
        for repeat in range(repeats):
            for target in TARGETS:
                print(f"[repeat {repeat + 1}/{repeats}] {target.name}", flush=True)
                with running_server(
                    target.launcher, model=MODEL, env={**env, **target.env}, ready_timeout=120
                ) as server:
                    url = f"{server.base_url}/v1/predict"
                    for delay in delays:
                        with running_delay_proxy(store.port, delay, port=proxy_port):
                            warm_up(url, bodies)
                            earlier = [
                                r["capacity_rps"]
                                for r in found.get((target.name, delay), [])
                                if r["capacity_rps"]
                            ]
                            start = statistics.median(earlier) if earlier else START_RPS
                            growth = slo_search.LATER_GROWTH if earlier else slo_search.FIRST_GROWTH
                            print(f"    +{delay:g} ms on the store's link", flush=True)
                            outcome = measure(url, bodies, slo_ms, start, growth)
                        found.setdefault((target.name, delay), []).append(
                            {"capacity_rps": outcome.capacity_rps, "p99_ms": outcome.p99_ms_at_capacity}
                        )
                        print(
                            f"    -> {outcome.capacity_rps:.1f}/s at p99 {outcome.p99_ms_at_capacity:.1f} ms",
                            flush=True,
                        )
    revision, dirty = git_revision()
    return {
        "model": MODEL,
        "slo_ms": slo_ms,
        "repeats": repeats,
        "workers": 1,
        "link": "benchmarks.delay_proxy (asyncio TCP proxy, half the delay each way); netem unavailable on this VM",
        "git_revision": revision,
        "git_dirty": dirty,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "rows": [
            {
                "target": target.name,
                "threads": target.threads,
                "delay_ms": delay,
                "capacity_rps": [r["capacity_rps"] for r in found[(target.name, delay)]],
                "p99_ms": [r["p99_ms"] for r in found[(target.name, delay)]],
            }
            for target in TARGETS
            for delay in delays
        ],
    }


def table(results: dict[str, Any]) -> str:
    """Capacity at the SLO, min / median / max over the repeats, one line per target and delay."""
    lines = [
        f"capacity at p99 ≤ {results['slo_ms']:g} ms, 1 worker, min / median / max of {results['repeats']}"
    ]
    for row in results["rows"]:
        values = row["capacity_rps"]
        lines.append(
            f"  {row['target']:<26} +{row['delay_ms']:>4g} ms  "
            f"{min(values):7.1f} {statistics.median(values):7.1f} {max(values):7.1f} req/s"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.io_wait", description=__doc__)
    parser.add_argument(
        "--delays", default=",".join(f"{d:g}" for d in DELAYS_MS), help="added ms, comma-separated"
    )
    parser.add_argument("--slo-ms", type=float, default=SLO_MS)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    args = parser.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so every server, proxy and Redis started here is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    delays = tuple(float(item) for item in args.delays.split(","))
    started = time.monotonic()
    results = run(delays, args.slo_ms, args.repeats)
    results["seconds"] = round(time.monotonic() - started, 1)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"io-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    print(f"written to {path} ({results['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
