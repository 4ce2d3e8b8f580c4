"""Start a server process on a free loopback port, wait until it answers, and always stop its whole tree."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

HOST = "127.0.0.1"
STOP_GRACE_S = 10.0


class LaunchFailed(RuntimeError):
    """The server exited or did not become ready in time; the message carries the tail of its output."""


@dataclass(frozen=True, slots=True)
class Launched:
    """A running server: where it answers and its root process id."""

    base_url: str
    port: int
    pid: int
    started_at: float


def free_port() -> int:
    """A port the OS says is free on loopback now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Poll `url` until it answers 200; raise LaunchFailed if the process exits or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LaunchFailed(f"exited with {process.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise LaunchFailed(f"{url} did not answer 200 within {timeout_s:g} s")


@contextmanager
def launched(
    command: Sequence[str],
    *,
    port: int,
    ready_path: str,
    env: Mapping[str, str] | None = None,
    ready_timeout_s: float = 60.0,
) -> Iterator[Launched]:
    """Run `command` (which must bind `port`), yield once `ready_path` answers 200, then stop it, always."""
    environment = {**os.environ, **(env or {})}
    started = time.perf_counter()
    # A new session makes the server the leader of its own process group, so stopping reaches every worker.
    process = subprocess.Popen(
        list(command),
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        try:
            wait_ready(f"http://{HOST}:{port}{ready_path}", process, ready_timeout_s)
        except LaunchFailed as error:
            stop_group(process)
            tail = process.stderr.read()[-2000:].decode(errors="replace") if process.stderr else ""
            raise LaunchFailed(f"{' '.join(command)}: {error}\n{tail}") from None
        # Drain stderr in the background so a chatty server can never block on a full pipe.
        _drain(process)
        yield Launched(f"http://{HOST}:{port}", port, process.pid, started)
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen[bytes]) -> int | None:
    """SIGTERM the process group, wait, then SIGKILL what is left; return the exit code."""
    if process.poll() is None:
        _signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
    # Workers that outlived their master are still in its group.
    _signal_group(process.pid, signal.SIGKILL)
    return process.returncode


def python_module(module: str, *args: str) -> list[str]:
    """`python -m module args` with this interpreter."""
    return [sys.executable, "-m", module, *args]


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _drain(process: subprocess.Popen[bytes]) -> None:
    import threading

    def drain() -> None:
        if process.stderr is not None:
            for _ in iter(lambda: process.stderr.read(65536) if process.stderr else b"", b""):
                pass

    threading.Thread(target=drain, daemon=True).start()
