"""The calibration probes as rows: one per moment of the run, one column per core."""

from __future__ import annotations

from benchmarks.results import Stability
from report.tables import Row


def cores(stability: Stability) -> list[int]:
    """The cores probed, in order."""
    return sorted({probe.core for probe in stability.probes})


def probe_rows(stability: Stability) -> list[Row]:
    """Each moment's probe time per core (ms): a core that slowed shows as a larger number in its column."""
    times = {(probe.moment, probe.core): probe.ms for probe in stability.probes}
    moments = list(dict.fromkeys(probe.moment for probe in stability.probes))
    return [
        Row(
            (
                moment,
                *(
                    f"{times[moment, core]:.1f}" if (moment, core) in times else "—"
                    for core in cores(stability)
                ),
            )
        )
        for moment in moments
    ]
