"""`python -m ray_serve`: a local Ray cluster serving the FastAPI front end with SERVEBENCH_REPLICAS replicas.

Starts a fresh local cluster (never joins one already running), runs the application on SERVEBENCH_HOST and
SERVEBENCH_PORT, and on SIGTERM or SIGINT shuts Serve and the cluster down and exits 0, so that no Ray process
outlives it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

import ray
from ray import serve

from ray_serve.app import application
from ray_serve.processes import descendants, stop_all
from ray_serve.proxy import CALLBACK
from shared_model import load_settings

APP_NAME = "servebench"
SHUTDOWN_GRACE_S = 10.0


def main() -> int:
    """Serve until told to stop; 0 after a clean shutdown."""
    settings = load_settings()  # fail now, naming the bad SERVEBENCH_* variable
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Serve's proxy actor reads its callback from the environment it inherits from this process.
    os.environ["RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH"] = CALLBACK
    # One logical CPU per replica even on a smaller machine, so that SERVEBENCH_REPLICAS is always placed.
    cpus = max(len(os.sched_getaffinity(0)), settings.REPLICAS)
    # A new cluster of its own, on loopback only: its daemons and actors bind no other address.
    ray.init(
        address="local",
        num_cpus=cpus,
        include_dashboard=False,
        namespace=APP_NAME,
        _node_ip_address="127.0.0.1",
    )
    # After ray.init, which installs handlers of its own: a stop request must reach this loop.
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        serve.start(http_options={"host": settings.HOST, "port": settings.port_for("fastapi")})
        serve.run(application(settings), name=APP_NAME, route_prefix="/", blocking=False)
        print(
            f"servebench: Ray Serve on http://{settings.HOST}:{settings.port_for('fastapi')} "
            f"with {settings.REPLICAS} replicas",
            flush=True,
        )
        stop.wait()
        return 0
    finally:
        started = descendants(os.getpid())
        serve.shutdown()  # type: ignore[no-untyped-call]
        ray.shutdown()
        killed = stop_all(started, SHUTDOWN_GRACE_S)
        if killed:
            print(f"servebench: killed {len(killed)} Ray processes left after shutdown", flush=True)


if __name__ == "__main__":
    sys.exit(main())
