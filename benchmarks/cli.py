"""What the benchmark commands share: their common options, the model's sample requests, their console, SIGTERM
taken as Ctrl-C, and the closing summary."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from rich.console import Console

from benchmarks.app_calls import bodies_of
from benchmarks.results import Results, results_path
from benchmarks.summary import print_summary
from benchmarks.targets import HTTP_FRONT_ENDS
from shared_model import Predictor, load_model, load_settings
from shared_model.samples import sample_records
from shared_model.settings import ENV_PREFIX, Settings, SettingsError

INTERRUPTED = 130  # the shell's exit status for a command stopped by SIGINT
WIDTH_OFF_TERMINAL = 160  # make's logs and pipes: wide enough for the summary table
SAMPLE_REQUESTS = 200  # distinct request bodies a load generator rotates through
HARNESS_SETTINGS = frozenset({"HOST", "PORT"})  # each server started gets a free loopback port of its own

T = TypeVar("T")


def add_model_options(parser: argparse.ArgumentParser, default_out: Path) -> None:
    """--model, --records and --out, as every benchmark command takes them."""
    parser.add_argument("--model", default=None, help="model name or path (default: SERVEBENCH_MODEL)")
    parser.add_argument(
        "--records", type=Path, default=os.environ.get("RECORDS") or None, help="JSONL records"
    )
    add_out_option(parser, default_out)


def add_out_option(parser: argparse.ArgumentParser, default_out: Path) -> None:
    """--out: the folder a command's results file goes to (beside the benchmark's by default)."""
    parser.add_argument("--out", type=Path, default=default_out, help="folder for the results file")


def write_beside(out_dir: Path, kind: str, started: datetime, document: dict[str, Any]) -> Path:
    """Write `document` as `<out_dir>/<kind>-<UTC timestamp>.json` (a file the report finds beside the results)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{kind}-{results_path(out_dir, started).name}"
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


def add_front_ends_argument(parser: argparse.ArgumentParser) -> None:
    """Positional FRONT_END names, any of the HTTP front ends (none: all of them)."""
    parser.add_argument(
        "front_ends",
        nargs="*",
        metavar="FRONT_END",
        help=f"any of {', '.join(HTTP_FRONT_ENDS)} (default: all)",
    )


def chosen_front_ends(parser: argparse.ArgumentParser, names: list[str]) -> tuple[str, ...]:
    """The front ends named on the command line (all when none was), or a usage error naming the unknown ones."""
    if unknown := set(names) - set(HTTP_FRONT_ENDS):
        parser.error(f"unknown front ends: {', '.join(sorted(unknown))}")
    return tuple(names) or HTTP_FRONT_ENDS


def add_settings_option(parser: argparse.ArgumentParser) -> None:
    """--setting NAME=VALUE (repeatable): a SERVEBENCH_* setting for every server the command starts."""
    parser.add_argument(
        "--setting",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of the servers started, e.g. MAX_INFLIGHT=8 (repeatable; default: as shipped). The "
        "servers never see the caller's own SERVEBENCH_* variables, so that a figure is the shipped one unless "
        "asked otherwise",
    )


def chosen_settings(parser: argparse.ArgumentParser, pairs: list[str]) -> dict[str, str]:
    """The servers' environment for `--setting` pairs, checked as a server would check it; a usage error otherwise."""
    environ: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        name = name.strip().upper().removeprefix(ENV_PREFIX)
        if not equals or name not in Settings.model_fields:
            parser.error(
                f"--setting {pair!r}: expected NAME=VALUE with NAME one of {', '.join(Settings.model_fields)}"
            )
        if name in HARNESS_SETTINGS:
            parser.error(f"--setting {pair!r}: the benchmark chooses {name} itself")
        environ[ENV_PREFIX + name] = value
    try:
        load_settings(environ)
    except SettingsError as error:
        parser.error(f"--setting: {error}")
    return environ


def configured_model_requests() -> tuple[Predictor, list[bytes]]:
    """The configured model (SERVEBENCH_MODEL) and SAMPLE_REQUESTS prediction bodies drawn from its spec."""
    predictor = load_model(load_settings().MODEL)
    return predictor, bodies_of(sample_records(predictor.spec, SAMPLE_REQUESTS))


def stderr_console() -> Console:
    """Progress and tables on stderr, so that stdout carries only the results file's path."""
    return Console(stderr=True) if sys.stderr.isatty() else Console(stderr=True, width=WIDTH_OFF_TERMINAL)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM takes the same path as Ctrl-C: every started server is stopped


def interruptible(work: Callable[[], T], console: Console) -> T | None:
    """`work()`, with SIGTERM taken as Ctrl-C; None (and a line saying so) when either stopped it."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return work()
    except KeyboardInterrupt:
        console.print("[red]interrupted: every server started was stopped; no results written[/]")
        return None


def announce(path: Path, results: Results, console: Console) -> None:
    """The headline table and where the results were written (the path alone on stdout, for scripts)."""
    print_summary(results, console)
    console.print(f"results: {path}")
    print(path)
