"""report.md rendered into a self-contained report.html: markdown-it-py, one CSS file, the charts' SVG inline."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from importlib.resources import files
from pathlib import PurePosixPath

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from report.charts import Chart

CHART_FOLDER = "charts"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _marks(state: StateCore) -> None:
    """Ids on headings (links into the report), banners on quoted blocks, no paragraph around a lone chart."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            token.attrSet("id", _slug(tokens[index + 1].content))
        elif token.type == "blockquote_open":
            token.attrSet("class", "banner")
        elif token.type == "paragraph_open" and _lone_chart(tokens[index + 1]):
            token.hidden = tokens[index + 2].hidden = True


def _lone_chart(inline: Token) -> bool:
    children = inline.children or []
    return len(children) == 1 and children[0].type == "image" and _chart_key(children[0]) is not None


def _chart_key(image: Token) -> str | None:
    path = PurePosixPath(str(image.attrGet("src") or ""))
    return path.stem if path.parent.name == CHART_FOLDER and path.suffix == ".svg" else None


def parser(charts: Sequence[Chart]) -> MarkdownIt:
    """CommonMark with tables, raw HTML refused (results text is escaped), chart images replaced by their SVG."""
    svgs = {chart.key: chart.svg for chart in charts}
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    markdown.core.ruler.push("servebench_marks", _marks)

    def image(
        renderer: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[index]
        key = _chart_key(token)
        if key is None or key not in svgs:
            return renderer.image(tokens, index, options, env)
        title = html.escape(renderer.renderInlineAsText(token.children or [], options, env))
        return (
            f'<figure class="chart" data-chart="{html.escape(key)}"><figcaption>{title}</figcaption>'
            f"{svgs[key]}</figure>\n"
        )

    markdown.add_render_rule("image", image)
    return markdown


def page(markdown_text: str, charts: Sequence[Chart]) -> str:
    """The whole HTML document: a shell with the inline stylesheet around the rendered Markdown."""
    body = parser(charts).render(markdown_text)
    title_match = re.search(r"<h1[^>]*>(.*?)</h1>", body)
    title = title_match.group(1) if title_match else "servebench report"
    style = files("report").joinpath("report.css").read_text(encoding="utf-8")
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>\n{style}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )
