"""A server process's heap, settled once its model and app are loaded."""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect once, then put every object alive now out of the cyclic collector's reach (`gc.freeze`).

    A loaded model and its libraries are ~170k objects that live as long as the process; a full collection scans
    them all, 50-130 ms on this machine kind, and a request that arrives meanwhile waits that long (one such pause
    had several predictions refused as too late during a drain). Frozen, they are never scanned again, so the
    collector's pauses are those of each request's own garbage.
    """
    gc.collect()
    gc.freeze()
