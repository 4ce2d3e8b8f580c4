"""`python -m fastapi_app [--variant NAME]`: run uvicorn (uvloop, httptools) in the foreground."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile

import uvicorn

from shared_model import load_settings

# Named production alternatives: which app factory the workers build.
VARIANTS: dict[str, str] = {
    "async": "fastapi_app.asgi:on_loop_app",
    "def": "fastapi_app.asgi:threadpool_app",
}
DEFAULT_VARIANT = "async"
GRACEFUL_SECONDS = 30


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fastapi_app", description=__doc__)
    parser.add_argument("--variant", choices=sorted(VARIANTS), default=DEFAULT_VARIANT)
    args = parser.parse_args(argv)
    settings = load_settings()
    # A fresh folder per run, set before any worker imports prometheus_client, removed when the server stops.
    folder = tempfile.mkdtemp(prefix="servebench-fastapi-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    try:
        uvicorn.run(
            VARIANTS[args.variant],
            factory=True,
            host=settings.HOST,
            port=settings.port_for("fastapi"),
            workers=settings.WORKERS,
            loop="uvloop",
            http="httptools",
            access_log=False,  # the app writes one access line per request itself
            log_level=settings.LOG_LEVEL.lower(),
            timeout_graceful_shutdown=GRACEFUL_SECONDS,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
