"""gunicorn's configuration for servebench's Flask front end, from SERVEBENCH_* settings (`python -m flask_app`)."""

# file concern: server_config

from __future__ import annotations

import os
import shutil
from typing import Any

from flask_app import THREADS
from shared_model import load_settings

settings = load_settings()

bind = [f"{settings.HOST}:{settings.port_for('flask')}"]
workers = settings.WORKERS
worker_class = "gthread"  # keep-alive and a few threads per worker; `--variant sync` is the alternative
threads = THREADS
keepalive = 5
timeout = 60
graceful_timeout = 30  # SIGTERM: in-flight requests get this long to finish before workers are killed
accesslog = None  # the app writes one access line per request itself
errorlog = "-"
loglevel = settings.LOG_LEVEL.lower()
proc_name = "servebench-flask"
# The control socket lives at one fixed path per user: parallel servers (tests, benchmarks) would fight over it.
control_socket_disable = True


def post_worker_init(worker: Any) -> None:
    """The worker has loaded the app and its model: settle the heap before the first request."""
    from shared_model.heap import settle

    settle()


# concern: observability
def child_exit(server: Any, worker: Any) -> None:
    """Drop a dead worker's live gauges from the multiprocess metrics."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


# concern: observability
def on_exit(server: Any) -> None:
    """Remove this run's multiprocess metrics folder, which the launcher made fresh."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
