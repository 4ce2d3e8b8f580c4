"""Callgrind driven from inside the measured Python process: its client requests, its command, its dumps.

A client request is the magic instruction sequence of valgrind.h; valgrind recognises it when translating the code,
natively it is a handful of no-op rotations. Emitting it from Python (a few bytes of x86-64 in an executable page,
called through ctypes) puts the measurement's boundaries exactly around the measured calls, in the process itself:
no `callgrind_control`, hence no vgdb and no ptrace, and no hand-shake between a driving parent and the child.
"""

from __future__ import annotations

import ctypes
import mmap
import platform
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from shared_model.system_tools import tool_path

# rdi = &args[0], rsi = default. valgrind.h's amd64 client request wants rax = &args[0] and rdx = default, then
# the preamble (rol rdi by 3, 13, 61, 51) and `xchg rbx, rbx`; the answer comes back in rdx.
AMD64_CLIENT_REQUEST = bytes.fromhex(
    "4889f8"  # mov rax, rdi
    "4889f2"  # mov rdx, rsi
    "48c1c703"
    "48c1c70d"
    "48c1c73d"
    "48c1c733"  # rol rdi, 3; 13; 61; 51
    "4887db"  # xchg rbx, rbx
    "4889d0"  # mov rax, rdx
    "c3"  # ret
)
RUNNING_ON_VALGRIND = 0x1001
_CALLGRIND_BASE = (ord("C") << 24) | (ord("T") << 16)  # VG_USERREQ_TOOL_BASE('C', 'T') in callgrind.h
ZERO_STATS = _CALLGRIND_BASE + 1
DUMP_STATS_AT = _CALLGRIND_BASE + 3
START_INSTRUMENTATION = _CALLGRIND_BASE + 4
STOP_INSTRUMENTATION = _CALLGRIND_BASE + 5
OUT_FILE = "callgrind.out.%p"
TRIGGER = re.compile(r"^desc: Trigger: Client Request: (?P<label>.+)$", re.MULTILINE)
TOTALS = re.compile(r"^totals: (?P<count>\d+)", re.MULTILINE)

Request = Callable[[int, int], int]


class UnsupportedMachine(RuntimeError):
    """Client requests are emitted for x86-64 only."""


@cache
def _client_request() -> tuple[mmap.mmap, Request]:
    if platform.machine() not in ("x86_64", "AMD64"):
        raise UnsupportedMachine(f"instruction counts need x86-64; this machine is {platform.machine()}")
    page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    page.write(AMD64_CLIENT_REQUEST)
    address = ctypes.addressof(ctypes.c_char.from_buffer(page))
    function = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p, ctypes.c_uint64)(address)
    return page, function  # the page is returned too: it must live as long as the function


def client_request(request: int, argument: int = 0) -> int:
    """Send one client request with one argument; natively (no valgrind) it answers 0."""
    _, function = _client_request()
    arguments = (ctypes.c_uint64 * 6)(request, argument)
    return function(ctypes.addressof(arguments), 0)


def running_on_valgrind() -> bool:
    """Whether this process runs under valgrind."""
    return client_request(RUNNING_ON_VALGRIND) > 0


def start_instrumentation() -> None:
    """Instrument from here on (slower: each piece of code is translated again, with counting)."""
    client_request(START_INSTRUMENTATION)


def stop_instrumentation() -> None:
    """Run uninstrumented again, several times faster, counting nothing."""
    client_request(STOP_INSTRUMENTATION)


def zero_stats() -> None:
    """Forget what was counted so far."""
    client_request(ZERO_STATS)


def dump_stats(label: str) -> None:
    """Write the counts since the last dump to a file labelled `label`, and zero them."""
    text = ctypes.create_string_buffer(label.encode())
    client_request(DUMP_STATS_AT, ctypes.addressof(text))


def callgrind_command(out_dir: Path) -> list[str]:
    """valgrind's command line for a process that instruments itself: nothing is counted until it asks."""
    return [
        tool_path("valgrind"),
        "--tool=callgrind",
        "--instr-atstart=no",
        "--dump-line=no",  # only the totals are read; per-line costs would make every dump larger
        f"--callgrind-out-file={out_dir / OUT_FILE}",
        "--quiet",
    ]


def read_dumps(out_dir: Path) -> dict[str, int]:
    """Instructions of each labelled dump in `out_dir`, by label (the dump at exit, unlabelled, is left out)."""
    counts: dict[str, int] = {}
    for path in sorted(out_dir.glob("callgrind.out.*")):
        text = path.read_text(encoding="utf-8", errors="replace")
        trigger, totals = TRIGGER.search(text), TOTALS.search(text)
        if trigger is not None and totals is not None:
            counts[trigger["label"]] = int(totals["count"])
    return counts
