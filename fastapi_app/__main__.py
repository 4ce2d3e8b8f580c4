"""`python -m fastapi_app [--variant NAME]`: uvicorn (uvloop, httptools) behind nginx, or alone, in the foreground.

The shipped variants put nginx in front of uvicorn, as uvicorn's deployment guide advises and exactly as Flask has
it: nginx refuses predictions past the in-flight limit before uvicorn reads them, so an overloaded worker's event
loop holds at most that many, and health passes on its own unlimited upstream. `async-direct` is uvicorn alone, so
that the benchmarks can show what the proxy costs and buys. Neither this supervisor nor uvicorn's imports the app,
FastAPI or the model, which only the workers need.
"""

# file concern: server_config

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from shared_model import Settings, load_settings
from shared_model.proxied import UPSTREAM_PLACEHOLDER, run_behind_proxy, runtime_folder
from shared_model.proxy import ProxyPlan


@dataclass(frozen=True, slots=True)
class Variant:
    """Which app factory the workers build, and whether nginx stands in front."""

    factory: str
    proxied: bool = True


# Named production alternatives.
VARIANTS: dict[str, Variant] = {
    "async": Variant("fastapi_app.asgi:on_loop_app"),
    "def": Variant("fastapi_app.asgi:threadpool_app"),
    "batched": Variant("fastapi_app.asgi:batched_app"),
    "async-direct": Variant("fastapi_app.asgi:direct_on_loop_app", proxied=False),
}
DEFAULT_VARIANT = "async"
GRACEFUL_SECONDS = 30


# concern: observability
def metrics_folder(settings: Settings) -> Path:
    """This server's Prometheus multiprocess folder, wiped before start as prometheus_client's docs advise."""
    folder = (
        Path(tempfile.gettempdir())
        / f"servebench-fastapi-metrics-{os.getuid()}-{settings.port_for('fastapi')}"
    )
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700)
    return folder


def uvicorn_command(settings: Settings, variant: str) -> list[str]:
    """uvicorn's command line for `variant`, from the settings (behind nginx: on its unix socket)."""
    chosen = VARIANTS[variant]
    listen = (
        [f"--uds={UPSTREAM_PLACEHOLDER}"]
        if chosen.proxied
        else [f"--host={settings.HOST}", f"--port={settings.port_for('fastapi')}"]
    )
    return [
        sys.executable,
        "-m",
        "uvicorn",
        chosen.factory,
        "--factory",
        *listen,
        f"--workers={settings.WORKERS}",
        "--loop=uvloop",
        "--http=httptools",
        "--no-access-log",  # the app writes one access line per request itself
        f"--log-level={settings.LOG_LEVEL.lower()}",
        f"--timeout-graceful-shutdown={GRACEFUL_SECONDS}",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fastapi_app", description=__doc__)
    parser.add_argument("--variant", choices=sorted(VARIANTS), default=DEFAULT_VARIANT)
    args = parser.parse_args(argv)
    settings = (
        load_settings()
    )  # fail now, naming the bad SERVEBENCH_* variable, rather than inside every worker
    # concern: observability
    # Set before any worker imports prometheus_client.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_folder(settings))
    command = uvicorn_command(settings, args.variant)
    if not VARIANTS[args.variant].proxied:
        os.execv(command[0], command)
    plan = ProxyPlan.from_settings(settings, settings.port_for("fastapi"), runtime_folder("fastapi"))
    sys.exit(run_behind_proxy(plan, command))


if __name__ == "__main__":
    main()
