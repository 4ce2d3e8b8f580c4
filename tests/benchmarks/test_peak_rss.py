"""PeakRss: the largest RSS of a process tree while a load runs, including a process that joins the tree late."""

from __future__ import annotations

import subprocess
import sys
import time

from benchmarks import resources

MIB = 1024 * 1024
# A parent that, after a moment, starts a child holding 64 MiB for a while: a worker respawned under load.
LATE_CHILD = """
import subprocess, sys, time
time.sleep(0.3)
child = subprocess.Popen([sys.executable, "-c", "b = bytearray(64 * 1024 * 1024); import time; time.sleep(3)"])
child.wait()
"""


def test_the_peak_counts_a_process_that_joined_the_tree_after_sampling_began() -> None:
    parent = subprocess.Popen([sys.executable, "-c", LATE_CHILD])
    try:
        time.sleep(0.1)
        alone = resources.rss_bytes(parent.pid)[0]
        with resources.PeakRss(parent.pid) as peak:
            time.sleep(0.3 + resources.TREE_REFRESH_S + 1.0)
        assert peak.peak >= alone + 60 * MIB, (alone / MIB, peak.peak / MIB)
    finally:
        for process in reversed(resources.tree(parent.pid)):
            process.kill()
        parent.wait()
