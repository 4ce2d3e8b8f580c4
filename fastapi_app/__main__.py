"""`python -m fastapi_app [--variant NAME]`: exec uvicorn (uvloop, httptools) in the foreground.

This process is replaced by uvicorn's own command line, so the supervisor of several workers is uvicorn alone:
it never imports the app, FastAPI or the model, which only the workers need.
"""

# file concern: server_config

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from shared_model import Settings, load_settings

# Named production alternatives: which app factory the workers build.
VARIANTS: dict[str, str] = {
    "async": "fastapi_app.asgi:on_loop_app",
    "def": "fastapi_app.asgi:threadpool_app",
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
    """uvicorn's command line for `variant`, from the settings."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        VARIANTS[variant],
        "--factory",
        f"--host={settings.HOST}",
        f"--port={settings.port_for('fastapi')}",
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
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
