"""`python -m benchmarks.limits [FRONT_END ...] [--values 4,8,16] [--rounds 2] [--slo-ms 50]`: the in-flight limit
measured on your model, not guessed (`make limits`).

`SERVEBENCH_MAX_INFLIGHT` trades two goals against each other. A low limit keeps what is accepted under overload
fast, but refuses the bursts of Poisson arrivals that a service at a steady rate also meets, and each refusal is a
query that missed the latency objective; a high one absorbs bursts and host stalls, but lets every admitted
prediction wait behind more others. For each front end and value, in rounds whose order rotates: the capacity at the
SLO with 1 worker (the Server scenario's search: Poisson arrivals, p99 from the intended send times, refusals counted
as misses), then the overload loads with 2 workers (`benchmarks.overload`: 2x the capacity wrk measures, a closed
loop of 256, half load with workers frozen now and then), judged against the generators alone under the same loads.
Prints, per front end, each value's capacity and overload figures (median, min-max over the rounds) and which values
met every judged overload goal in every round; among those the one with the highest capacity is the one to ship.
Writes `limits-<UTC timestamp>.json` beside the benchmark's results. On this 2-core machine kind one value takes
about 90 s a round.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from benchmarks import cli, load, slo_search
from benchmarks.affinity import available_cores
from benchmarks.calibration import Calibration
from benchmarks.floors import NOOP, running_floor
from benchmarks.overload import OVERLOADED, WORKERS, Overload, judged, overloads
from benchmarks.results import DEFAULT_SLO_MS
from benchmarks.servers import running_server
from benchmarks.wrk import best_throughput

DEFAULT_VALUES = (4, 8, 16)
DEFAULT_ROUNDS = 2
START_RPS = 100.0  # the first search's first rate; it grows 1.5x a trial until one fails
WARM_UP = 50  # sequential requests before a search
SETTING = "SERVEBENCH_MAX_INFLIGHT"
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True, slots=True)
class Measured:
    """One front end at one limit in one round: its capacity at the SLO (1 worker) and its overloads (2 workers)."""

    front_end: str
    limit: int
    round: int
    capacity_rps: float
    closed_rps: float  # wrk's throughput at c=8, 2 workers: the overloads' rates are multiples of it
    overloads: tuple[Overload, ...]

    @property
    def overload_met(self) -> bool:
        """Whether every goal the generators alone did not already miss was met, under every load."""
        return all(not overload.misses() for overload in self.overloads)

    @property
    def at_double(self) -> Overload | None:
        """The open loop at 2x the capacity."""
        return next((o for o in self.overloads if o.kind == OVERLOADED), None)


@dataclass(frozen=True, slots=True)
class LimitRow:
    """One front end at one limit over the rounds: figures as (median, min, max)."""

    front_end: str
    limit: int
    capacity_rps: tuple[float, float, float]
    accepted_p99_over_p50: tuple[float, float, float]
    refused_p99_ms: tuple[float, float, float]
    refused_in_stalls: tuple[float, float, float]
    rounds_met: int
    rounds: int

    def cells(self) -> tuple[str, ...]:
        return (
            f"{self.limit}",
            _spread(self.capacity_rps, "{:,.0f}"),
            _spread(self.accepted_p99_over_p50, "{:.1f}x"),
            _spread(self.refused_p99_ms, "{:.1f}"),
            _spread(self.refused_in_stalls, "{:.0f}"),
            f"{self.rounds_met} of {self.rounds}",
        )


def _spread(figures: tuple[float, float, float], shape: str) -> str:
    middle, low, high = (shape.format(figure) for figure in figures)
    return middle if low == high else f"{middle} ({low}–{high})"


def _median_range(figures: list[float]) -> tuple[float, float, float]:
    return (statistics.median(figures), min(figures), max(figures)) if figures else (0.0, 0.0, 0.0)


def rows(measured: list[Measured]) -> list[LimitRow]:
    """Each front end at each limit, over its rounds, in the order first measured."""
    keys = list(dict.fromkeys((m.front_end, m.limit) for m in measured))
    found = []
    for front_end, limit in keys:
        runs = [m for m in measured if (m.front_end, m.limit) == (front_end, limit)]
        doubles = [run.at_double for run in runs if run.at_double is not None]
        stalls = [o.counts.refused for run in runs for o in run.overloads if o.stalls]
        found.append(
            LimitRow(
                front_end,
                limit,
                _median_range([run.capacity_rps for run in runs]),
                _median_range([o.counts.accepted_p99_ms / o.unloaded_p50_ms for o in doubles]),
                _median_range([o.counts.refused_p99_ms for o in doubles]),
                _median_range([float(refused) for refused in stalls]),
                sum(run.overload_met for run in runs),
                len(runs),
            )
        )
    return found


def to_ship(found: list[LimitRow], front_end: str) -> LimitRow | None:
    """Among the limits that met the overload goals in every round, the one with the highest median capacity."""
    met = [row for row in found if row.front_end == front_end and row.rounds_met == row.rounds]
    return max(met, key=lambda row: row.capacity_rps[0], default=None)


def capacity_at_slo(url: str, bodies: list[bytes], slo_ms: float) -> slo_search.Outcome:
    """The Server scenario's search against `url`: the highest Poisson rate whose p99, refusals counted as misses,
    is within `slo_ms`."""
    return slo_search.search(
        slo_search.searching(slo_ms, START_RPS), partial(load.poisson_trial, url, bodies)
    )


def measure(
    front_end: str,
    limit: int,
    round_index: int,
    bodies: list[bytes],
    *,
    slo_ms: float,
    settings: dict[str, str],
) -> Measured:
    """`front_end` with `limit` predictions in flight per worker: its capacity at the SLO, then its overloads."""
    env = {"SERVEBENCH_LOG_LEVEL": "WARNING", **settings, SETTING: str(limit)}
    with running_server(front_end, env=env) as server:
        url = f"{server.base_url}/v1/predict"
        load.sequential(url, bodies, WARM_UP)
        capacity = capacity_at_slo(url, bodies, slo_ms).capacity_rps
    with running_server(front_end, workers=WORKERS, env=env) as server:
        closed = best_throughput(f"{server.base_url}/v1/predict", bodies)
        found = overloads(f"{front_end} {limit}", server.base_url, bodies, closed, server.pid)
    return Measured(front_end, limit, round_index, capacity, closed, tuple(found))


def _table(found: list[LimitRow], front_end: str) -> str:
    headers = (
        "in flight",
        "capacity at the SLO, req/s",
        "accepted p99 at 2x / unloaded p50",
        "refusals' p99 at 2x, ms",
        "refused in stalls",
        "overload goals met",
    )
    lines = [f"{front_end}:", "", _markdown_row(headers), _markdown_row(tuple("---" for _ in headers))]
    lines += [_markdown_row(row.cells()) for row in found if row.front_end == front_end]
    best = to_ship(found, front_end)
    lines.append(
        f"-> {front_end}: ship {SETTING}={best.limit} ({best.capacity_rps[0]:,.0f} req/s at the SLO)"
        if best
        else f"-> {front_end}: no limit tried met every overload goal in every round"
    )
    return "\n".join(lines)


def _markdown_row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.limits", description=__doc__)
    cli.add_front_ends_argument(parser)
    parser.add_argument(
        "--values", default=",".join(map(str, DEFAULT_VALUES)), help="in-flight limits to try, e.g. 4,8,16"
    )
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--slo-ms", type=float, default=DEFAULT_SLO_MS, help="p99 objective in ms")
    cli.add_out_option(parser, RESULTS)
    cli.add_settings_option(parser)
    args = parser.parse_args(argv)
    front_ends = cli.chosen_front_ends(parser, args.front_ends)
    settings = cli.chosen_settings(parser, args.settings)
    try:
        values = [int(value) for value in args.values.split(",")]
    except ValueError:
        parser.error(f"--values {args.values!r}: expected whole numbers, e.g. 4,8,16")
    cli.chosen_settings(parser, [f"MAX_INFLIGHT={value}" for value in values])  # each one a valid setting
    predictor, bodies = cli.configured_model_requests()
    started = datetime.now(UTC)
    pairs = [(front_end, value) for front_end in front_ends for value in values]
    calibration = Calibration(available_cores())
    calibration.start()
    measured: list[Measured] = []
    for round_index in range(args.rounds):
        shift = round_index % len(pairs)
        for front_end, value in pairs[shift:] + pairs[:shift]:  # each round starts one pair later
            print(f"round {round_index + 1}/{args.rounds}: {front_end}, {value} in flight", file=sys.stderr)
            found = measure(front_end, value, round_index, bodies, slo_ms=args.slo_ms, settings=settings)
            measured.append(found)
            print(f"  capacity at the SLO {found.capacity_rps:,.0f} req/s", file=sys.stderr)
            for overload in found.overloads:
                print(f"  {overload.line()}", file=sys.stderr, flush=True)
        calibration.probe(f"after round {round_index + 1}")
        # The generators alone under the round's hardest loads, to judge every run of the round against.
        with running_floor(NOOP) as noop:
            highest = max(m.closed_rps for m in measured if m.round == round_index)
            alone = overloads("no-op server (the generators alone)", noop.base_url, bodies, highest)
        measured = [
            replace(m, overloads=tuple(judged(o, alone) for o in m.overloads))
            if m.round == round_index
            else m
            for m in measured
        ]
    stability = calibration.finish()
    found_rows = rows(measured)
    for front_end in front_ends:
        print(_table(found_rows, front_end), end="\n\n")
    print(
        f"host: the calibration loop moved {stability.spread:.0%} over the run"
        + ("" if stability.stable else " - UNSTABLE: " + "; ".join(stability.reasons))
    )
    document = {
        "kind": "limits",
        "started": started.isoformat(),
        "model": predictor.name,
        "slo_ms": args.slo_ms,
        "settings": settings,
        "stability": stability.model_dump(),
        "measured": [asdict(found) for found in measured],
        "rows": [asdict(row) for row in found_rows],
    }
    path = cli.write_beside(args.out, "limits", started, document)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
