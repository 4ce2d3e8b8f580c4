"""The Flask page's HTML read back with the standard library: each element's text by id, and its form controls."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"input", "meta", "link", "br", "img", "hr"}
CONTROLS = {"form", "input", "select", "option", "button", "label", "a", "meter", "script"}
Attributes = dict[str, str | None]


class PageView(HTMLParser):
    """One page: `text[id]` is the text inside the element with that id; `controls` are (tag, attributes) in order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text: dict[str, str] = {}
        self.controls: list[tuple[str, Attributes]] = []
        self._open: list[str | None] = []
        self._capturing: dict[str, list[str]] = {}
        self.tables: dict[str, list[list[str]]] = {}  # each table with an id: its rows' cell texts
        self._tables: list[str] = []
        self._cell: list[str] | None = None
        self.feed(html)
        self.close()
        assert not self._open, f"unclosed elements: {self._open}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in CONTROLS:
            self.controls.append((tag, attributes))
        if tag in VOID:
            return
        if tag == "table":
            self._tables.append(str(attributes.get("id", "")))
            self.tables.setdefault(self._tables[-1], [])
        elif tag == "tr" and self._tables:
            self.tables[self._tables[-1]].append([])
        elif tag in ("td", "th") and self._tables:
            self._cell = []
        element_id = attributes.get("id")
        self._open.append(element_id)
        if element_id:
            assert element_id not in self.text, f"id {element_id} twice"
            assert element_id not in self._capturing, f"id {element_id} nested in itself"
            self._capturing[element_id] = []

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if tag == "table":
            self._tables.pop()
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[self._tables[-1]][-1].append("".join(self._cell))
            self._cell = None
        element_id = self._open.pop()
        if element_id:
            self.text[element_id] = "".join(self._capturing.pop(element_id))

    def handle_data(self, data: str) -> None:
        for parts in self._capturing.values():
            parts.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def named(self, tag: str) -> dict[str, Attributes]:
        """The attributes of each `tag` control that has a name, by name."""
        return {str(a["name"]): a for t, a in self.controls if t == tag and a.get("name")}

    def link(self, element_id: str) -> Attributes:
        """The attributes of the link with this id."""
        return next(a for t, a in self.controls if t == "a" and a.get("id") == element_id)

    def token(self) -> str:
        """The CSRF token of the page's forms."""
        return str(self.named("input")["csrf_token"]["value"])

    def options(self, name: str) -> tuple[list[str], str | None]:
        """The values of the select called `name`, and the selected one."""
        values: list[str] = []
        selected = None
        inside = False
        for tag, attributes in self.controls:
            if tag == "select":
                inside = attributes.get("name") == name
            elif tag == "option" and inside:
                values.append(str(attributes["value"]))
                if "selected" in attributes:
                    selected = values[-1]
            elif tag != "option":
                inside = False
        return values, selected
