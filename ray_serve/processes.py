"""The launcher's process tree, read from /proc: what Ray started, so that nothing it started outlives the launcher.

`ray.shutdown()` stops the raylet and GCS, but their agents (the dashboard and runtime-env agents) were seen still
running a minute later, re-parented to init; the launcher therefore notes its whole tree before shutting down
and kills whatever of it is still alive after a grace period.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

PROC = Path("/proc")
POLL_S = 0.1


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: the fields after it are state, ppid, ...
    return text.rsplit(")", 1)[1].split()


def descendants(root: int) -> set[int]:
    """Every live process below `root` (children, their children, ...), Ray's own sessions included."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, exited but not yet waited for, does not)."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def stop_all(pids: Iterable[int], grace_s: float) -> list[int]:
    """Wait up to `grace_s` for `pids` to exit, SIGKILL the rest, reap our own children; the pids killed."""
    remaining = set(pids)
    deadline = time.monotonic() + grace_s
    while remaining and time.monotonic() < deadline:
        remaining = {pid for pid in remaining if alive(pid)}
        time.sleep(POLL_S)
    killed = sorted(pid for pid in remaining if alive(pid))
    for pid in killed:
        with suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    _reap_children()
    return killed


def _reap_children() -> None:
    with suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] != 0:
            pass
