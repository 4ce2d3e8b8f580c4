"""The one place that starts and stops real servers, for tests and benchmarks alike.

    with running_server("flask_app", workers=2) as server:
        httpx.get(f"{server.base_url}/health/live")

Each front end is started through its launcher, `python -m <front_end> [--variant NAME]`, and the benchmark's
floors through their own command line (`running_command`), on a free loopback port, configured only through
`SERVEBENCH_*` variables. The server is always stopped on leaving the block
(SIGTERM, then SIGKILL of its whole process group after a timeout), also when the block fails.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from shared_model.loopback import LOOPBACK, free_port

FRONT_ENDS = ("flask_app", "fastapi_app", "streamlit_app")
READY_PATHS = {
    "flask_app": "/health/ready",
    "fastapi_app": "/health/ready",
    "streamlit_app": "/_stcore/health",
}
REPO = Path(__file__).resolve().parent.parent
# Ray Serve runs in its own environment (`make ray-env`), so Ray's dependencies stay out of .venv.
RAY_PYTHON = REPO / ".ray-venv" / "bin" / "python"
RAY_READY_LINE = "servebench: Ray Serve on "  # the launcher prints it once every replica runs
RAY_READY_TIMEOUT = 180.0  # a local cluster, its controller, proxy and replicas start in 30-60 s here
POLL_SECONDS = 0.1
STOP_TIMEOUT = 40.0  # longer than the launchers' 30 s graceful drain


class ServerFailed(RuntimeError):
    """A server exited or never became ready; the message ends with its log."""


@dataclass
class RunningServer:
    """A started server (a front end, a floor or the no-op server): its port, launcher process and log."""

    name: str
    variant: str | None
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int:
        """The launcher's pid (gunicorn's or uvicorn's main process; `psutil.Process(pid).children()` are workers)."""
        return self.process.pid

    def log(self) -> str:
        """Everything the server has written so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def terminate(self) -> None:
        """Send SIGTERM (a graceful drain) without waiting."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        """Wait for the exit code; past `timeout`, kill the whole process group and return the code then."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            _kill_group(self.process)
            return self.process.wait()

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM, wait up to `timeout`, then SIGKILL; return the exit code."""
        self.terminate()
        return self.wait(timeout)

    def __repr__(self) -> str:
        return f"RunningServer(name={self.name!r}, variant={self.variant!r}, base_url={self.base_url!r})"


@contextmanager
def running_server(
    front_end: str,
    *,
    variant: str | None = None,
    workers: int = 1,
    model: str = "loan",
    env: Mapping[str, str] | None = None,
    ready_timeout: float = 60.0,
    ready_path: str | None = None,
) -> Iterator[RunningServer]:
    """Start `python -m <front_end>` on a free loopback port, wait until `ready_path` answers 200, yield it, stop it.

    `env` adds or overrides variables (e.g. `SERVEBENCH_MAX_BATCH`); `ready_path` defaults to the front end's
    readiness endpoint (use `/health/live` for a server expected to run without its model).
    """
    if front_end not in FRONT_ENDS:
        raise ValueError(f"unknown front end {front_end!r}; expected one of {FRONT_ENDS}")
    command = ["-m", front_end, *(["--variant", variant] if variant else [])]
    with running_command(
        front_end,
        lambda port: command,
        ready_path=ready_path or READY_PATHS[front_end],
        env={"SERVEBENCH_WORKERS": str(workers), "SERVEBENCH_MODEL": model, **(env or {})},
        variant=variant,
        ready_timeout=ready_timeout,
    ) as server:
        yield server


@contextmanager
def running_ray_serve(
    *,
    replicas: int = 2,
    model: str = "loan",
    env: Mapping[str, str] | None = None,
    ready_timeout: float = RAY_READY_TIMEOUT,
) -> Iterator[RunningServer]:
    """The FastAPI front end under Ray Serve (`python -m ray_serve` in .ray-venv) with `replicas` replicas.

    Yields once every replica runs; stopping it shuts Serve and its local cluster down.
    """
    if not RAY_PYTHON.exists():
        raise ServerFailed(f"{RAY_PYTHON.relative_to(REPO)} is missing: run `make ray-env`")
    with running_command(
        "ray_serve",
        lambda port: ["-m", "ray_serve"],
        ready_path=READY_PATHS["fastapi_app"],
        env={"SERVEBENCH_REPLICAS": str(replicas), "SERVEBENCH_MODEL": model, **(env or {})},
        variant=f"ray-{replicas}",
        ready_timeout=ready_timeout,
        python=RAY_PYTHON,
        cwd=REPO,
    ) as server:
        deadline = time.monotonic() + ready_timeout
        while RAY_READY_LINE not in server.log():
            if server.process.poll() is not None or time.monotonic() > deadline:
                raise ServerFailed(f"{server!r} did not start all {replicas} replicas:\n{server.log()}")
            time.sleep(POLL_SECONDS)
        yield server


@contextmanager
def running_command(
    name: str,
    arguments: Callable[[int], Sequence[str]],
    *,
    ready_path: str,
    env: Mapping[str, str] | None = None,
    variant: str | None = None,
    ready_timeout: float = 60.0,
    python: Path | None = None,
    port: int | None = None,
    cwd: Path | None = None,
) -> Iterator[RunningServer]:
    """Run this interpreter with `arguments(port)` in its own process group; yield once `ready_path` answers 200.

    The child sees only the `SERVEBENCH_*` variables given here (plus host and port), never the caller's own.
    `python` runs another venv's interpreter (a benchmark peer's); `port` one the caller chose with `free_port`.
    """
    port = port or free_port()
    child_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SERVEBENCH_") and key != "PROMETHEUS_MULTIPROC_DIR"
    }
    child_env.update(SERVEBENCH_HOST=LOOPBACK, SERVEBENCH_PORT=str(port), PYTHONUNBUFFERED="1")
    child_env.update(env or {})
    command = [str(python or sys.executable), *arguments(port)]
    with tempfile.NamedTemporaryFile(prefix=f"servebench-{name}-", suffix=".log", delete=False) as log:
        log_path = Path(log.name)
        # A new session makes the server the leader of its own process group, so stopping reaches every worker.
        process = subprocess.Popen(
            command, env=child_env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = RunningServer(name, variant, port, process, log_path)
    try:
        _wait_until_ready(server, ready_path, ready_timeout)
        yield server
    finally:
        server.stop()
        _kill_group(process)  # workers orphaned by a crashed master, if any
        log_path.unlink(missing_ok=True)


def _wait_until_ready(server: RunningServer, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    url = server.base_url + path
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerFailed(f"{server!r} exited with {server.process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(POLL_SECONDS)
    raise ServerFailed(f"{server!r} not ready at {path} within {timeout:.0f} s:\n{server.log()}")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def running_delay_proxy(target_port: int, delay_ms: float, port: int | None = None) -> Iterator[int]:
    """`python -m benchmarks.delay_proxy` in front of `target_port` (on `port`, or a free one); yield its port."""
    listen = port or free_port()
    command = [
        sys.executable, "-m", "benchmarks.delay_proxy",
        "--listen", str(listen), "--target", str(target_port), "--delay-ms", str(delay_ms),
    ]  # fmt: skip
    process = subprocess.Popen(command, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise ServerFailed(f"the delay proxy exited with {process.returncode}")
            with suppress(OSError), socket.create_connection((LOOPBACK, listen), timeout=1):
                break
            if time.monotonic() > deadline:
                raise ServerFailed(f"the delay proxy did not listen on {listen} within 30 s")
            time.sleep(POLL_SECONDS)
        yield listen
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.wait()
