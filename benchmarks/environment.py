"""The machine, library versions and git revision that travel with every result."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path

import psutil

from benchmarks.results import Environment
from shared_model.system_tools import SystemToolMissing, installed, tool_path

LIBRARIES = (
    "numpy",
    "scipy",
    "scikit-learn",
    "pandas",
    "pydantic",
    "flask",
    "gunicorn",
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "streamlit",
    "protobuf",
    "websockets",
    "hdrhistogram",
    "pygount",
    "psutil",
    "playwright",
)
REPO_ROOT = Path(__file__).resolve().parent.parent


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries whose speed the figures depend on."""
    versions: dict[str, str] = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_revision() -> tuple[str, bool]:
    """(commit, whether the working tree has uncommitted changes)."""
    try:
        commit = subprocess.run(
            [tool_path("git"), "rev-parse", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            [tool_path("git"), "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError, SystemToolMissing):
        return "unknown", False
    return commit, bool(status.strip())


def wrk_version() -> str | None:
    """wrk's version line, or None when wrk is not installed."""
    if not installed("wrk"):
        return None
    path = tool_path("wrk")
    # wrk prints its version with -v and exits 1; the first line names it.
    done = subprocess.run([path, "-v"], capture_output=True, text=True, timeout=10, check=False)
    lines = (done.stdout + done.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def describe(server_cores: list[int], generator_cores: list[int], tcp_quickack: bool) -> Environment:
    """The environment record of this run."""
    commit, dirty = git_revision()
    uname = platform.uname()
    return Environment(
        cpu_model=cpu_model(),
        cores=os.cpu_count() or 1,
        memory_bytes=psutil.virtual_memory().total,
        os=f"{uname.system} {uname.release}",
        python=platform.python_version(),
        libraries=library_versions(),
        git_revision=commit,
        git_dirty=dirty,
        server_cores=server_cores,
        generator_cores=generator_cores,
        pinned=server_cores != generator_cores,
        wrk=wrk_version(),
        tcp_quickack=tcp_quickack,
    )
