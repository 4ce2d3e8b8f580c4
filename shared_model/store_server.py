"""The one place that starts and stops the feature store: Debian's redis-server on a free loopback port.

    with running_store() as store:
        store.load("loan_store")          # the model's rows, from artifacts/<name>/<name>.store.jsonl
        ...SERVEBENCH_STORE_URL=store.url...

Redis runs in the foreground in its own process group, with no persistence (no RDB, no AOF), and is stopped on
leaving the block, also when the block fails. `python -m shared_model.store_server COMMAND...` runs a command
beside a store loaded for `SERVEBENCH_MODEL` when that model has stored features (what `make run-*` uses).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from shared_model.loopback import LOOPBACK, free_port
from shared_model.spec import SpecError, load_spec
from shared_model.system_tools import tool_path

READY_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
LOAD_BATCH = 1000  # rows per pipeline round trip when loading


class StoreFailed(RuntimeError):
    """redis-server exited or never answered PING; the message ends with its log."""


@dataclass
class RunningStore:
    """A redis-server this process started: its port and process; restartable on the same port."""

    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def start(self) -> None:
        """Start redis-server on this store's port and wait until it answers PING."""
        command = [
            tool_path("redis-server"),
            "--port", str(self.port),
            "--bind", LOOPBACK,
            "--save", "",  # no RDB snapshots
            "--appendonly", "no",
            "--daemonize", "no",
            "--protected-mode", "yes",
            "--loglevel", "warning",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_until_ready()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL of its process group after STOP_TIMEOUT_S; its data is gone (no persistence)."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def restart(self, model: str | None = None) -> None:
        """Stop and start again on the same port (empty), reloading `model`'s rows when given."""
        self.stop()
        self.start()
        if model is not None:
            self.load(model)

    def load(self, model: str) -> int:
        """Write the model's stored rows (its `.store.jsonl` beside the artifact); return how many."""
        from shared_model.artifacts import resolve
        from shared_model.store import FeatureLookup

        paths = resolve(model)
        lookup = FeatureLookup(load_spec(paths.spec))
        client = redis.Redis.from_url(self.url, socket_timeout=READY_TIMEOUT_S)
        count = 0
        with client, paths.store_rows.open(encoding="utf-8") as rows:
            pipeline = client.pipeline(transaction=False)
            for line in rows:
                record = json.loads(line)
                fields: dict[Any, Any] = lookup.encode(
                    record
                )  # redis-py's Mapping is invariant in its key type
                pipeline.hset(lookup.key(record[lookup.entity.name]), mapping=fields)
                count += 1
                if count % LOAD_BATCH == 0:
                    pipeline.execute()
            pipeline.execute()
        return count

    def log(self) -> str:
        """What redis-server has written so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        client = redis.Redis(host=LOOPBACK, port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        with client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise StoreFailed(f"redis-server exited with {self.process.returncode}:\n{self.log()}")
                with suppress(redis.RedisError):
                    if client.ping():
                        return
                time.sleep(0.05)
        self.stop()
        raise StoreFailed(
            f"redis-server not ready on port {self.port} within {READY_TIMEOUT_S:.0f} s:\n{self.log()}"
        )

    def __repr__(self) -> str:
        running = self.process is not None and self.process.poll() is None
        return f"RunningStore(url={self.url!r}, running={running})"


@contextmanager
def running_store(model: str | None = None, port: int | None = None) -> Iterator[RunningStore]:
    """A started redis-server (loaded with `model`'s rows when given), stopped on leaving, also on failure."""
    with tempfile.NamedTemporaryFile(prefix="servebench-redis-", suffix=".log", delete=False) as log:
        store = RunningStore(port or free_port(), Path(log.name))
    try:
        store.start()
        if model is not None:
            store.load(model)
        yield store
    finally:
        store.stop()
        store.log_path.unlink(missing_ok=True)


def needs_store(model: str) -> bool:
    """Whether `model`'s spec looks features up in the store (a model that cannot be read does not)."""
    from shared_model.artifacts import resolve

    try:
        return load_spec(resolve(model).spec).entity is not None
    except SpecError:
        return False


def main(argv: list[str] | None = None) -> int:
    """Run COMMAND; beside a loaded store when SERVEBENCH_MODEL has stored features and no store is configured."""
    from shared_model.settings import load_settings

    command = sys.argv[1:] if argv is None else argv
    if not command:
        sys.exit("usage: python -m shared_model.store_server COMMAND [ARGS...]")
    settings = load_settings()
    if settings.STORE_URL is not None or not needs_store(settings.MODEL):
        os.execvp(command[0], command)
    with running_store(settings.MODEL) as store:
        print(f"feature store for {settings.MODEL}: {store.url}", flush=True)
        child = subprocess.Popen(command, env={**os.environ, "SERVEBENCH_STORE_URL": store.url})
        # The command gets the signal too (same terminal) or from us; the store stops once it has exited.
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        try:
            return child.wait()
        except KeyboardInterrupt:
            return child.wait()


if __name__ == "__main__":
    sys.exit(main())
