"""Settling the heap puts what is alive out of the collector's reach, so a full collection no longer scans it."""

from __future__ import annotations

import gc

from shared_model.heap import settle


def test_settle_freezes_what_is_alive_and_a_full_collection_skips_it():
    kept = [[index] for index in range(10_000)]  # objects the collector tracks, alive for the whole test
    try:
        settle()
        assert gc.get_freeze_count() >= len(kept)
        tracked = len(gc.get_objects())
        assert (
            tracked < gc.get_freeze_count()
        )  # the frozen are no longer among the objects a collection scans
    finally:
        gc.unfreeze()
