"""HTML reader: BeautifulSoup (html.parser, which keeps source lines) -> the article's plain text.

Navigation, scripts, footers, reference markers, reference lists, tables of contents, figures and
category links are dropped; `table.infobox` rows become fields; the title is `h1#firstHeading`
(else `<title>` without the site name). Whole sections such as "See also" and "References" are dropped.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.element import CData

from .ingest_text import (
    KEYS_BY_LABEL,
    Layout,
    TextBuffer,
    Unreadable,
    is_dropped_section,
    label_for,
    normalise_key,
)

if TYPE_CHECKING:
    from .ingest import IngestLimits

_DROPPED_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "header",
        "footer",
        "svg",
        "math",
        "img",
        "figure",
        "input",
        "button",
        "select",
        "textarea",
        "form",
        "iframe",
        "object",
        "embed",
        "audio",
        "video",
        "canvas",
        "map",
        "head",
        "link",
        "meta",
    }
)
_DROPPED_CLASSES = frozenset(
    {
        "navbox",
        "vertical-navbox",
        "navbox-styles",
        "mw-editsection",
        "reference",
        "references",
        "reflist",
        "mw-references-wrap",
        "mw-cite-backlink",
        "catlinks",
        "toc",
        "thumb",
        "noprint",
        "printfooter",
        "mw-jump-link",
        "shortdescription",
        "sidebar",
        "metadata",
        "ambox",
        "mbox-small",
        "sistersitebox",
        "mw-empty-elt",
        "navhead",
        "mw-indicators",
        "infobox",  # read as fields, not prose
    }
)
_DROPPED_IDS = frozenset(
    {"mw-navigation", "footer", "catlinks", "toc", "sitesub", "contentsub", "jump-to-nav", "mw-head", "mw-panel"}
)
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "dd",
        "dt",
        "ul",
        "ol",
        "dl",
        "table",
        "tr",
        "caption",
        "blockquote",
        "pre",
        "section",
        "article",
        "main",
        "aside",
        "address",
        "details",
        "summary",
        "hr",
        "center",
        "body",
        "html",
        "fieldset",
        "figcaption",
    }
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_TOGGLES = frozenset({"[show]", "[hide]", "[edit]", "show", "hide"})
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.I)
_CONTENT_ROOTS = (
    "#mw-content-text .mw-parser-output",
    "#mw-content-text",
    "#bodyContent",
    "main",
    "article",
    "[role=main]",
    "#content",
    "body",
)
_SITE_SUFFIX = re.compile(r"\s+[-–—|]\s+[^-–—|]*(wiki|encyclop)[^-–—|]*$", re.I)


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class")
    if isinstance(value, str):
        return value.split()
    return [str(c) for c in value or []]


def is_dropped(tag: Tag) -> bool:
    """Elements that are not article prose: page chrome, reference markers, hidden parts."""
    if tag.name in _DROPPED_TAGS:
        return True
    if any(c.casefold() in _DROPPED_CLASSES for c in _classes(tag)):
        return True
    element_id = tag.get("id")
    if isinstance(element_id, str) and element_id.casefold() in _DROPPED_IDS:
        return True
    style = tag.get("style")
    return tag.has_attr("hidden") or (isinstance(style, str) and bool(_HIDDEN_STYLE.search(style)))


def _where(tag: Tag) -> tuple[int, int] | None:
    if tag.sourceline is None:
        return None
    return tag.sourceline, tag.sourcepos or 0


def _link_target(tag: Tag) -> str | None:
    """The page a link points to: its title, or the last part of a /wiki/ address."""
    href = tag.get("href")
    if not isinstance(href, str) or href.startswith("#"):
        return None
    title = tag.get("title")
    if isinstance(title, str) and title.strip():
        return " ".join(title.split())
    if "/wiki/" in href:
        page = href.split("/wiki/", 1)[1].split("#", 1)[0].split("?", 1)[0]
        return unquote(page).replace("_", " ").strip() or None
    return None


@dataclass
class _Walker:
    """Writes an element's text into a buffer; `on_block` is called at block boundaries
    (the body starts a new paragraph there, an infobox value a new line)."""

    on_block: Callable[[Tag], None]
    on_heading: Callable[[Tag], bool] = lambda _tag: True  # False: skip the heading and what it starts
    out: TextBuffer = field(default_factory=TextBuffer)
    skipping: bool = False
    in_pre: int = 0

    def walk(self, root: Tag) -> None:
        """Document-order walk with an explicit stack (deeply nested markup must not overflow Python's)."""
        stack: list[tuple[Tag, list[object], int, tuple[int, int, str] | None]] = []
        self._enter(root, stack)
        while stack:
            tag, children, index, link = stack[-1]
            if index >= len(children):
                stack.pop()
                self._leave(tag, link)
                continue
            stack[-1] = (tag, children, index + 1, link)
            child = children[index]
            if isinstance(child, Tag):
                if not is_dropped(child):
                    self._enter(child, stack)
            elif isinstance(child, NavigableString) and (type(child) is NavigableString or isinstance(child, CData)):
                self._text(str(child))

    def _enter(self, tag: Tag, stack: list[tuple[Tag, list[object], int, tuple[int, int, str] | None]]) -> None:
        if tag.name in _HEADINGS:
            self.skipping = not self.on_heading(tag)
        if tag.name == "pre":
            self.in_pre += 1
        link = None
        if not self.skipping:
            self._open(tag)
            target = _link_target(tag) if tag.name == "a" else None
            link = (self.out.size, 0, target) if target else None
        stack.append((tag, list(tag.children), 0, link))

    def _open(self, tag: Tag) -> None:
        if tag.name == "br":
            self.out.write("\n")
        elif tag.name in _BLOCK_TAGS:
            self.on_block(tag)
        elif (where := _where(tag)) is not None:
            self.out.marks.append((self.out.size, *where))
        if tag.name in ("td", "th"):
            self.out.write(" ")

    def _leave(self, tag: Tag, link: tuple[int, int, str] | None) -> None:
        if tag.name == "pre":
            self.in_pre -= 1
        if self.skipping:
            return
        if link is not None and self.out.size > link[0]:
            self.out.links.append((link[0], self.out.size, link[2]))
        if tag.name in _BLOCK_TAGS:
            self.on_block(tag)

    def _text(self, text: str) -> None:
        if self.skipping or text.strip() in _TOGGLES:
            return
        self.out.write(text if self.in_pre else _HTML_SPACE.sub(" ", text))


def render_value(cell: Tag) -> TextBuffer:
    """An infobox cell as text: list items, <br> and block elements start new lines."""
    walker = _Walker(on_block=lambda _tag: None)
    walker.on_block = lambda _tag: walker.out.write("\n")
    walker.walk(cell)
    return walker.out


def plain_text(tag: Tag) -> str:
    return " ".join(render_value(tag).text().split())


# ---------------------------------------------------------------- infobox


def _cells(row: Tag) -> list[Tag]:
    return [cell for cell in row.find_all(["th", "td"], recursive=False) if isinstance(cell, Tag)]


def _has_class(tag: Tag, name: str) -> bool:
    return any(name in c for c in _classes(tag))


def _rows(table: Tag) -> list[Tag]:
    rows = []
    for row in table.find_all("tr"):
        if isinstance(row, Tag) and row.find_parent("table") is table:
            rows.append(row)
    return rows


def _add_infobox(layout: Layout, table: Tag) -> None:
    seen_title = False
    caption = table.find("caption", recursive=False)
    if isinstance(caption, Tag) and plain_text(caption):
        layout.add_field("title", "Title", render_value(caption).rendered(), _where(caption))
        seen_title = True
    for row in _rows(table):
        cells = _cells(row)
        if len(cells) == 1:
            seen_title = _add_single_cell(layout, cells[0], seen_title) or seen_title
        elif len(cells) >= 2:
            label_cell, value_cell = cells[0], cells[1]
            if label_cell.name == "td" and not _has_class(label_cell, "label"):
                continue  # two data cells: no label to name the row by
            label = plain_text(label_cell)
            key = KEYS_BY_LABEL.get(label.casefold()) or normalise_key(label)
            layout.add_field(key, label, render_value(value_cell).rendered(), _where(row))


def _add_single_cell(layout: Layout, cell: Tag, seen_title: bool) -> bool:
    """A full-width row: the infobox title, a section header, a subheader or an image caption.
    True if it was the title."""
    if cell.name == "th":
        if seen_title:
            return layout.add_field("header", "Header", render_value(cell).rendered(), _where(cell)) and False
        return layout.add_field("title", "Title", render_value(cell).rendered(), _where(cell))
    if _has_class(cell, "subheader"):
        layout.add_field("subheader", "Subheader", render_value(cell).rendered(), _where(cell))
    elif _has_class(cell, "below"):
        return False  # links to the text elsewhere (Wikisource): not about the treaty
    else:
        caption = cell.select_one(".infobox-caption") or cell.find("figcaption")
        if isinstance(caption, Tag):
            layout.add_field("caption", label_for("caption"), render_value(caption).rendered(), _where(caption))
        elif cell.find("img") is None:
            layout.add_field("note", "Note", render_value(cell).rendered(), _where(cell))
    return False


# ---------------------------------------------------------------- body


@dataclass
class _Body:
    layout: Layout
    walker: _Walker = field(init=False)
    start: tuple[int, int] | None = None
    skip_level: int | None = None

    def __post_init__(self) -> None:
        self.walker = _Walker(on_block=self.block, on_heading=self.heading)

    def flush(self) -> None:
        self.layout.add_block(self.walker.out.rendered(), self.start)
        self.walker.out = TextBuffer()
        self.start = None

    def block(self, tag: Tag) -> None:
        self.flush()
        self.start = _where(tag)

    def heading(self, tag: Tag) -> bool:
        level = _HEADINGS[tag.name]
        if self.skip_level is not None and level > self.skip_level:
            return False
        self.skip_level = level if is_dropped_section(plain_text(tag)) else None
        return self.skip_level is None


def _title(soup: BeautifulSoup, root: Tag) -> tuple[str, tuple[int, int] | None] | None:
    heading = soup.select_one("h1#firstHeading, h1.firstHeading")
    if isinstance(heading, Tag) and plain_text(heading):
        return plain_text(heading), _where(heading)
    title = soup.find("title")
    if isinstance(title, Tag) and title.get_text().strip():
        return _SITE_SUFFIX.sub("", " ".join(title.get_text().split())), _where(title)
    heading = root.find("h1")
    if isinstance(heading, Tag) and plain_text(heading):
        return plain_text(heading), _where(heading)
    return None


def _content_root(soup: BeautifulSoup) -> Tag:
    for selector in _CONTENT_ROOTS:
        found = soup.select_one(selector)
        if isinstance(found, Tag):
            return found
    return soup


def read_html(source: str, limits: IngestLimits) -> Layout:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(source, "html.parser")
    root = _content_root(soup)
    layout = Layout()
    title = _title(soup, root)
    if title:
        layout.add_title(*title)
    for table in root.select("table.infobox"):
        if not any(is_dropped(parent) for parent in table.parents if parent is not root and parent is not soup):
            _add_infobox(layout, table)
    body = _Body(layout)
    body.walker.walk(root)
    body.flush()
    if not layout.has_body and not layout.fields:
        raise Unreadable("no article text in the HTML (only navigation, scripts or markup)")
    if re.search(r"<html[\s>]", source, re.I) and not re.search(r"</html\s*>", source, re.I):
        layout.problems.append("HTML ends early (no </html>): read what is there")
    return layout
