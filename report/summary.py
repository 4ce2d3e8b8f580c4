"""The top of the report, for a team lead: whether the run can be trusted, the pick per need and its one figure."""

from __future__ import annotations

from report.blocks import banner, heading, join, table
from report.contents import Report
from report.steadiness import percent, run_word


def unstable_run(r: Report) -> str | None:
    """A banner when the machine was not steady while measuring, with the reasons the run recorded."""
    stability = r.results.stability
    if stability is None or stability.stable:
        return None
    reasons = "; ".join(stability.reasons) or "no reason recorded"
    return banner("UNSTABLE RUN — figures may be the machine's, not the frameworks'.", f"Why: {reasons}.")


def run_state(r: Report) -> str:
    """`The run was **stable**: ...`, or unstable, or not recorded (older files)."""
    stability = r.results.stability
    word = run_word(stability)
    if stability is None:
        return (
            f"The machine's stability was **{word}** (results schema {r.results.schema_version}; 1.2 records "
            "calibration probes): judge the figures by their spread alone."
        )
    return (
        f"The run was **{word}**: calibration probes moved {percent(stability.spread)} (limit "
        f"{percent(stability.threshold)}), the host took {stability.steal_fraction * 100:.1f} % of CPU time as steal."
    )


def summary(r: Report) -> str:
    """The pick for each need, the one figure behind it, and whether that figure is steady."""
    rows = [(v.need, f"**{v.pick or 'none'}**", v.key_figure or "—", v.steadiness) for v in r.verdicts]
    return join(
        heading(2, "Summary"),
        run_state(r),
        table(("need", "pick", "the figure behind it", "steady?"), rows),
    )
