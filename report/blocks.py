"""Markdown blocks the report is written in: headings, tables, lists, banners, with table cells escaped."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell: a pipe or a line break would end the cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table; every cell is escaped."""
    lines = [
        "| " + " | ".join(cell(h) for h in headers) + " |",
        "|" + "---|" * len(headers),
    ]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def heading(level: int, text: str) -> str:
    """`## text`."""
    return f"{'#' * level} {text}"


def bullets(items: Iterable[str]) -> str:
    """A Markdown list, one item a line."""
    return "\n".join(f"- {item}" for item in items)


def banner(headline: str, detail: str = "") -> str:
    """A warning a reader cannot miss: a quoted block (styled as a banner in HTML), its headline in bold."""
    return f"> **⚠ {headline}** {detail}".rstrip()


def image(title: str, path: str) -> str:
    """An image on its own paragraph (in HTML the chart's SVG is put inline in its place)."""
    return f"![{title}]({path})"


def join(*blocks: str | None) -> str:
    """Blocks separated by blank lines; empty ones left out."""
    return "\n\n".join(block for block in blocks if block)
