"""Run an app server behind nginx until told to stop: `python -m shared_model.proxied --port P -- COMMAND...`.

The launcher of a proxied front end is this supervisor: it starts the app server on a unix socket, then nginx in
front of it, and stops them in the order that loses no request. On SIGTERM nginx stops accepting and finishes
what it has in flight, then the app server drains and exits; if either dies, the other is stopped and the
supervisor exits 1, so that an orchestrator restarts the whole.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from shared_model.proxy import ProxyPlan, prepare
from shared_model.settings import load_settings
from shared_model.system_tools import tool_path

UPSTREAM_PLACEHOLDER = "{upstream}"
POLL_S = 0.1
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 35.0  # the app servers' 30 s graceful drain, and a little more


def run_behind_proxy(plan: ProxyPlan, app_command: Sequence[str]) -> int:
    """Serve until SIGTERM/SIGINT (exit 0) or until a child dies (exit 1); the runtime folder is removed after."""
    stopping = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    prepare(plan)
    command = [part.replace(UPSTREAM_PLACEHOLDER, str(plan.upstream)) for part in app_command]
    app = subprocess.Popen(command)
    proxy: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while (
            not plan.upstream.exists() and app.poll() is None and time.monotonic() < deadline and not stopping
        ):
            time.sleep(POLL_S)
        if app.poll() is None and not stopping:
            proxy = subprocess.Popen([tool_path("nginx"), "-e", "stderr", "-c", str(plan.config)])
        while not stopping and app.poll() is None and proxy is not None and proxy.poll() is None:
            time.sleep(POLL_S)
        failed = not stopping
        if failed:
            print(
                f"servebench: {'nginx' if app.poll() is None else 'the app server'} exited; stopping",
                flush=True,
            )
        # nginx first: it stops accepting and finishes its requests, which the app server is still there to answer.
        if proxy is not None:
            _stop(proxy, signal.SIGQUIT)
        _stop(app, signal.SIGTERM)
        return 1 if failed else 0
    finally:
        for child in (proxy, app):
            if child is not None and child.poll() is None:
                child.kill()
        shutil.rmtree(plan.runtime, ignore_errors=True)


def _stop(child: subprocess.Popen[bytes], signum: int) -> None:
    if child.poll() is None:
        child.send_signal(signum)
    try:
        child.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def runtime_folder(name: str) -> Path:
    """A fresh private folder for one proxied server's config, sockets and nginx's buffers."""
    return Path(tempfile.mkdtemp(prefix=f"servebench-{name}-"))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared_model.proxied", description=__doc__)
    parser.add_argument("--port", type=int, required=True, help="the port nginx listens on")
    parser.add_argument(
        "command", nargs=argparse.REMAINDER, help=f"the app server, {UPSTREAM_PLACEHOLDER} its socket"
    )
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the app server's command after --")
    plan = ProxyPlan.from_settings(load_settings(), args.port, runtime_folder("proxied"))
    sys.exit(run_behind_proxy(plan, command))


if __name__ == "__main__":
    main()
