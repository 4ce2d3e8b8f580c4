"""Closed-loop load with wrk: a Lua script rotates the request bodies and reports exact percentiles as JSON."""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.affinity import pinned_command
from shared_model.system_tools import tool_path

RESULT_MARKER = "SERVEBENCH-WRK "
PERCENTILES = (50.0, 90.0, 99.0, 99.9)
# A capacity to size a load from is the most of a few short runs at c=8, since a host stall only ever lowers one (one
# 5 s run read 285-764 req/s of the same server in one session, and "2x" of a low reading was no overload).
CAPACITY_CONNECTIONS = 8
CAPACITY_RUNS = 3
CAPACITY_RUN_S = 3.0
# wrk keeps every latency in a 1-µs linear array up to its timeout, so `latency:percentile(p)` is exact; the
# asyncio generator, which cannot afford that, uses an HDR histogram instead (see METHOD.md).
LUA = """
local bodies = {@BODIES@}
local path = @PATH@
local method = @METHOD@
local percentiles = {@PERCENTILES@}
local headers = {["Content-Type"] = "application/json"}
local index = 0
local threads = {}
non200 = 0
refused = 0

setup = function(thread)
  table.insert(threads, thread)
end

request = function()
  index = index % #bodies + 1
  return wrk.format(method, path, headers, bodies[index])
end

response = function(status, headers, body)
  if status == 503 then refused = refused + 1 elseif status ~= 200 then non200 = non200 + 1 end
end

done = function(summary, latency, requests)
  local total_non200, total_refused = 0, 0
  for _, thread in ipairs(threads) do
    total_non200 = total_non200 + thread:get("non200")
    total_refused = total_refused + thread:get("refused")
  end
  local e = summary.errors
  local parts = {}
  for _, p in ipairs(percentiles) do
    table.insert(parts, string.format('"%g": %d', p, latency:percentile(p)))
  end
  io.write(@MARKER@ .. string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, '
    .. '"status": %d, "non200": %d, "refused": %d, "percentiles_us": {', summary.requests, summary.duration,
    e.connect, e.read, e.write, e.timeout, e.status, total_non200, total_refused) .. table.concat(parts, ", ") .. "}}\\n")
end
"""


@dataclass(frozen=True, slots=True)
class WrkRun:
    """One wrk run's counts and exact latency percentiles (µs)."""

    requests: int
    duration_s: float
    errors: int
    non_200: int
    percentiles_us: dict[str, float]
    refused: int = 0

    @property
    def throughput(self) -> float:
        """Answered requests per second, refusals (503 `overloaded`) not counted."""
        return (self.requests - self.refused) / self.duration_s if self.duration_s > 0 else 0.0


def lua_script(bodies: Sequence[bytes], path: str, method: str = "POST") -> str:
    """The Lua script that sends `bodies` in rotation and prints the result line."""
    quoted = ", ".join(_lua_string(body.decode()) for body in bodies) if bodies else '""'
    replacements = {
        "@BODIES@": quoted,
        "@PATH@": _lua_string(path),
        "@METHOD@": _lua_string(method),
        "@PERCENTILES@": ", ".join(f"{p:g}" for p in PERCENTILES),
        "@MARKER@": _lua_string(RESULT_MARKER),
    }
    script = LUA
    for token, value in replacements.items():
        script = script.replace(token, value)
    return script


def run_wrk(
    url: str,
    bodies: Sequence[bytes],
    *,
    connections: int,
    duration_s: float,
    method: str = "POST",
    cores: Sequence[int] = (),
    timeout_s: float = 10.0,
) -> WrkRun:
    """Run wrk closed loop with `connections` connections for `duration_s` and parse its result line."""
    wrk = tool_path("wrk")
    parts = urlsplit(url)
    with tempfile.TemporaryDirectory(prefix="servebench-wrk-") as folder:
        script = Path(folder) / "load.lua"
        script.write_text(lua_script(bodies, parts.path or "/", method), encoding="utf-8")
        # One thread per connection up to 2: wrk's threads compete with the server on this small machine.
        threads = max(1, min(connections, 2))
        # wrk reads durations as whole seconds only.
        seconds = max(1, round(duration_s))
        command = [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            f"--timeout={max(1, round(timeout_s))}s",
        ]
        command += ["-s", str(script), f"{parts.scheme}://{parts.netloc}/"]
        done = subprocess.run(
            pinned_command(command, cores),
            capture_output=True,
            text=True,
            timeout=seconds + timeout_s + 30,
            check=False,
        )
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            data = json.loads(line.removeprefix(RESULT_MARKER))
            errors = sum(data[key] for key in ("connect", "read", "write", "timeout"))
            return WrkRun(
                requests=data["requests"],
                duration_s=data["duration_us"] / 1e6,
                errors=errors,
                non_200=data["non200"],
                refused=data["refused"],
                percentiles_us={key: float(value) for key, value in data["percentiles_us"].items()},
            )
    raise RuntimeError(
        f"wrk gave no result (exit {done.returncode}): {done.stderr.strip() or done.stdout[-500:]}"
    )


def _lua_string(text: str) -> str:
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def best_throughput(url: str, bodies: Sequence[bytes], cores: Sequence[int] = ()) -> float:
    """The server's throughput at c=8 to size a load from: the best of CAPACITY_RUNS short runs of wrk."""
    return max(
        run_wrk(
            url, bodies, connections=CAPACITY_CONNECTIONS, duration_s=CAPACITY_RUN_S, cores=cores
        ).throughput
        for _ in range(CAPACITY_RUNS)
    )
