"""CPU pinning: servers on one core, load generators on another, where the OS allows it."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import psutil

from shared_model.system_tools import installed, tool_path


def available_cores() -> list[int]:
    """The cores this process may run on."""
    return (
        sorted(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else list(range(os.cpu_count() or 1))
    )


def split_cores() -> tuple[list[int], list[int]]:
    """(server cores, generator cores): the last core for the generator, the rest for servers; one core shares."""
    cores = available_cores()
    if len(cores) < 2:
        return cores, cores
    return cores[:-1], cores[-1:]


def pin_tree(pid: int, cores: Sequence[int]) -> bool:
    """Pin a process and all its descendants to `cores`; False where the OS refuses."""
    if not cores:
        return False
    try:
        root = psutil.Process(pid)
        for process in [root, *root.children(recursive=True)]:
            process.cpu_affinity(list(cores))
    except (psutil.Error, AttributeError, OSError):
        return False
    return True


def pin_self(cores: Sequence[int]) -> bool:
    """Pin this process (the asyncio generator) to `cores`; False where the OS refuses."""
    if not cores or not hasattr(os, "sched_setaffinity"):
        return False
    try:
        os.sched_setaffinity(0, set(cores))
    except OSError:
        return False
    return True


@contextmanager
def pinned(cores: Sequence[int]) -> Iterator[bool]:
    """This process pinned to `cores` inside the block (whether the OS allowed it), on every core again after."""
    done = pin_self(cores)
    try:
        yield done
    finally:
        if done:
            unpin_self()


def unpin_self() -> None:
    """Let this process run on every core again."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(available_cores_all()))


def available_cores_all() -> list[int]:
    """Every online core, whatever this process is pinned to now."""
    return list(range(os.cpu_count() or 1))


def pinned_command(command: list[str], cores: Sequence[int]) -> list[str]:
    """`command` prefixed with `taskset -c` when there is something to pin to and taskset exists."""
    if not cores or not installed("taskset"):
        return command
    return [tool_path("taskset"), "-c", ",".join(str(core) for core in cores), *command]
