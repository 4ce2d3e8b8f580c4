"""The program run under callgrind: builds each target once, warms it up, then counts a few calls and twice as many.

`python -m benchmarks.instruction_probe --calls K,2K TARGET...` (the model is SERVEBENCH_MODEL, as in a server).
Start-up and warm-up run uninstrumented, so fast and uncounted; the counts go to callgrind's dumps, labelled
`<target> <calls>` (benchmarks.instructions reads them). Natively it runs the same calls and counts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from benchmarks import callgrind
from benchmarks.app_calls import (
    FASTAPI,
    FLASK,
    TARGETS,
    Calls,
    asgi_calls,
    bodies_of,
    predict_calls,
    start_lifespan,
    wsgi_calls,
)
from benchmarks.floors import ASGI_FLOOR, WSGI_FLOOR
from benchmarks.in_process import IN_PROCESS
from benchmarks.records import generated_records
from shared_model import Predictor, load_model, load_settings

WARMUP_CALLS = 20  # enough for 3.11's specialising interpreter to settle on every path of a request


@dataclass
class Context:
    """What every target is built from: one model's records and, made when first needed, one event loop."""

    predictor: Predictor
    records: list[dict[str, Any]]
    lifespans: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def bodies(self) -> list[bytes]:
        return bodies_of(self.records)

    @cached_property
    def loop(self) -> asyncio.AbstractEventLoop:
        """uvloop's, as uvicorn runs it."""
        import uvloop

        loop = uvloop.new_event_loop()
        asyncio.set_event_loop(loop)
        return loop


# The front ends come from the very entry points their servers load (`flask_app.wsgi:app`, uvicorn's factory
# `fastapi_app.asgi:on_loop_app`), so they log, time and count exactly as shipped; their access log goes to stderr.
def _flask(context: Context) -> Calls:
    from flask_app.wsgi import app

    return wsgi_calls(FLASK, app, context.bodies)


def _wsgi_floor(context: Context) -> Calls:
    from benchmarks.baselines.wsgi_app import app

    return wsgi_calls(WSGI_FLOOR, app, context.bodies)


def _fastapi(context: Context) -> Calls:
    from fastapi_app.asgi import on_loop_app

    # Behind nginx (as shipped) the app runs no loop-delay sampler, whose 2 ms wall-clock timer would add ~100
    # ticks to each request under valgrind; its in-flight count still runs on every request.
    app = on_loop_app()
    context.lifespans.append(start_lifespan(app, context.loop))
    return asgi_calls(FASTAPI, app, context.bodies, context.loop)


def _asgi_floor(context: Context) -> Calls:
    from benchmarks.baselines.asgi_app import app

    return asgi_calls(ASGI_FLOOR, app, context.bodies, context.loop)


def _in_process(context: Context) -> Calls:
    return predict_calls(context.predictor, context.records)


BUILDERS: dict[str, Callable[[Context], Calls]] = {
    FLASK: _flask,
    WSGI_FLOOR: _wsgi_floor,
    FASTAPI: _fastapi,
    ASGI_FLOOR: _asgi_floor,
    IN_PROCESS: _in_process,
}


def label(target: str, calls: int) -> str:
    """The dump label of `calls` counted calls of `target`."""
    return f"{target} {calls}"


def count(target: str, calls: Calls, counted: tuple[int, int]) -> None:
    """Warm up uncounted, then count each number of calls into a dump of its own."""
    calls(WARMUP_CALLS)
    # As in the in-process floor: the harness's heap is frozen out of the collector's reach, so a full collection
    # of every imported module does not land in one window and not the other.
    gc.collect()
    gc.freeze()
    callgrind.start_instrumentation()
    try:
        callgrind.zero_stats()
        for number in counted:
            calls(number)
            callgrind.dump_stats(label(target, number))
    finally:
        callgrind.stop_instrumentation()
        gc.unfreeze()


def _say(text: str) -> None:
    print(text, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Build every named target, then count each in turn."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instruction_probe", description=__doc__)
    parser.add_argument("--calls", required=True, help="two numbers of calls, e.g. 20,40")
    parser.add_argument("targets", nargs="+", choices=TARGETS)
    args = parser.parse_args(argv)
    low, high = (int(number) for number in args.calls.split(","))
    predictor = load_model(load_settings().MODEL)
    context = Context(predictor, generated_records(predictor.spec))
    _say(
        f"started; {'under valgrind' if callgrind.running_on_valgrind() else 'natively: nothing is counted'}"
    )
    for target in args.targets:
        calls = BUILDERS[target](context)
        count(target, calls, (low, high))
        _say(f"{target}: {low} and {high} calls counted")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
