"""Pages for people: Streamlit's app and the Flask page side by side, from the main run's figures.

Each page's code lines by language (the boilerplate counter's `page_lines`), Chromium's click → painted answer,
submits/s with the same number of people at once (Streamlit's websocket sessions, the Flask page's form posts), and
the server tree's RSS growth per person at that number.
"""

from __future__ import annotations

from benchmarks.results import Figure, Results
from report.figures import PAGE_FRONT_ENDS, Headline, headlines, ratio_of
from report.tables import Row

LANGUAGES = ("Python", "HTML/Jinja", "CSS", "JavaScript")
PAGE_NAMES = {"streamlit": "Streamlit app (shipped)", "flask": "Flask page (Jinja2, gthread)"}


def lines_text(lines: dict[str, int]) -> str:
    """`Python 146 + HTML/Jinja 149 + CSS 73 = 368 lines`, languages in a fixed order; `not recorded` when empty."""
    if not lines:
        return "not recorded"
    shown = [name for name in LANGUAGES if lines.get(name)] + sorted(set(lines) - set(LANGUAGES))
    parts = " + ".join(f"{name} {lines[name]:,}" for name in shown)
    total = sum(lines[name] for name in shown)
    return f"{parts} lines" if len(shown) == 1 else f"{parts} = {total:,} lines"


def spread_text(fig: Figure | None, unit: str, digits: int = 0) -> str:
    """`85 (68–170) ms`, or an em dash when not measured."""
    if fig is None:
        return "—"
    return f"{fig.median:,.{digits}f} ({fig.min:,.{digits}f}–{fig.max:,.{digits}f}) {unit}"


def page_heads(results: Results) -> list[Headline]:
    """The headlines of the front ends with a page for people, Streamlit first."""
    heads = {head.front_end: head for head in headlines(results)}
    return [heads[name] for name in PAGE_FRONT_ENDS if name in heads]


def click_ratio(results: Results) -> Figure | None:
    """Streamlit's click → result over the Flask page's: submit by submit when the two pages' submits were taken in
    turn (schema 1.6), else the medians' ratio within the extremes'; None unless both pages were clicked."""
    heads = {head.front_end: head for head in page_heads(results)}
    streamlit, flask = heads.get("streamlit"), heads.get("flask")
    if streamlit is None or flask is None or streamlit.click_ms is None or flask.click_ms is None:
        return None
    paired = "flask" in streamlit.click_beside
    return ratio_of(streamlit.click_ms, flask.click_ms, paired=paired)


def click_ratio_line(results: Results) -> str | None:
    """The pages' click ratio in a sentence, saying whether it pairs submits."""
    ratio = click_ratio(results)
    if ratio is None:
        return None
    how = (
        "the median of the submit-by-submit ratios (the two pages' submits taken in turn)"
        if ratio.repeats
        else "the ratio of the two medians, within the extremes' (the pages were clicked one after the other)"
    )
    return (
        f"Streamlit's click → result is {ratio.median:.2f}× the Flask page's ({ratio.min:.2f}–{ratio.max:.2f}): "
        f"{how}."
    )


def people_of(results: Results) -> int | None:
    """The number of people at once both pages' figures are given at (None when neither was measured so)."""
    found = {head.page_people for head in page_heads(results)} - {None}
    return found.pop() if found else None


def page_rows(results: Results) -> list[Row]:
    """One row per page: lines by language, click → result, submits/s and MiB per person with N people at once."""
    rows = []
    for head in page_heads(results):
        failed = not head.verified
        rows.append(
            Row(
                (
                    PAGE_NAMES[head.front_end] + (" (failed)" if failed else ""),
                    lines_text(head.page_lines),
                    spread_text(head.click_ms, "ms"),
                    spread_text(head.page_rate, "submits/s", 1),
                    spread_text(head.rss_per_person_mb, "MiB", 3),
                )
            )
        )
    return rows


def missing_lines(results: Results) -> list[str]:
    """What this results file lacks for the comparison, each said once with where it comes from."""
    said = []
    heads = page_heads(results)
    if any(not head.page_lines for head in heads):
        said.append(
            f"Lines by language are not in this results file (schema {results.schema_version}): the benchmark "
            "records them from schema 1.5 on (`make bench`)."
        )
    for head in heads:
        if head.page_rate is None and head.rss_per_person_mb is None:
            said.append(
                f"{PAGE_NAMES[head.front_end]}: no people at once in this results file "
                + (
                    "(the Flask page's were first measured in the main run with schema 1.5)."
                    if head.front_end == "flask"
                    else "(its sessions scenario did not run or failed)."
                )
            )
        if head.click_ms is None:
            said.append(f"{PAGE_NAMES[head.front_end]}: not clicked through in Chromium in this run.")
    return said
