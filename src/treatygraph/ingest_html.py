"""HTML reader: lxml's HTML parser (C, linear time, keeps source lines) -> the article's plain text.

Navigation, scripts, footers, reference markers, reference lists, tables of contents, figures and
category links are dropped; `table.infobox` rows become fields; the title is `h1#firstHeading`
(else `<title>` without the site name). Whole sections such as "See also" and "References" are dropped.
Anchors give the source line of each element (not the column: the parser does not keep it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote

import lxml.etree
from lxml.etree import _Element as HtmlElement

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


def _has_class_xpath(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


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
# A run of HTML whitespace (which becomes one space), but for a lone space, which would stay as it is: found only
# where the text changes, and written to start with a character class, so that most texts are scanned without a
# match at every word gap (the same text as the substitution of every run)
_HTML_SPACE = re.compile(r"[ \t\n\r\f](?:[ \t\n\r\f]+|(?<=[\t\n\r\f]))")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.I)
# compiled once: an XPath given as a string is compiled again on every call
_CONTENT_ROOTS = tuple(
    lxml.etree.XPath(xpath)
    for xpath in (
        f"//*[@id='mw-content-text']//div[{_has_class_xpath('mw-parser-output')}]",
        "//*[@id='mw-content-text']",
        "//*[@id='bodyContent']",
        "//main",
        "//article",
        "//*[@role='main']",
        "//*[@id='content']",
        "//body",
    )
)
_FIRST_HEADING = lxml.etree.XPath(f"//h1[@id='firstHeading' or {_has_class_xpath('firstHeading')}]")
_TITLE = lxml.etree.XPath("//title")
_ANY_H1 = lxml.etree.XPath(".//h1")
_INFOBOXES = lxml.etree.XPath(f".//table[{_has_class_xpath('infobox')}]")
_CAPTIONS = lxml.etree.XPath(f".//*[{_has_class_xpath('infobox-caption')}] | .//figcaption")
_IMAGES = lxml.etree.XPath(".//img")
_TEXT_CONTENT = lxml.etree.XPath("string()")  # what lxml.html's text_content() is
_SITE_SUFFIX = re.compile(r"\s+[-–—|]\s+[^-–—|]*(wiki|encyclop)[^-–—|]*$", re.I)


def _classes(element: HtmlElement) -> list[str]:
    return str(element.get("class") or "").split()


def _is_element(node: object) -> bool:
    """Elements proper: comments and processing instructions have a non-string tag."""
    return isinstance(node, HtmlElement) and isinstance(node.tag, str)  # not a comment or instruction


def is_dropped(element: HtmlElement) -> bool:
    """Elements that are not article prose: page chrome, reference markers, hidden parts."""
    return _dropped(element, element.tag)


def _dropped(element: HtmlElement, tag: str) -> bool:
    if tag in _DROPPED_TAGS:
        return True
    if not element.keys():  # most elements have no attributes: one call instead of four
        return False
    classes = element.get("class")
    if classes and any(c.casefold() in _DROPPED_CLASSES for c in classes.split()):
        return True
    ident = element.get("id")
    if ident and ident.casefold() in _DROPPED_IDS:
        return True
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _where(element: HtmlElement) -> tuple[int, int] | None:
    line = element.sourceline
    return (line, 0) if isinstance(line, int) and line > 0 else None


def _link_target(element: HtmlElement) -> str | None:
    """The page a link points to: its title, or the last part of a /wiki/ address."""
    href = str(element.get("href") or "")
    if not href or href.startswith("#"):
        return None
    title = str(element.get("title") or "")
    if title.strip():
        return " ".join(title.split())
    if "/wiki/" in href:
        page = href.split("/wiki/", 1)[1].split("#", 1)[0].split("?", 1)[0]
        return unquote(page).replace("_", " ").strip() or None
    return None


class _Frame:
    """An element being walked: its tag (read once: lxml makes a new string on every read), its remaining
    children, and where its link's text starts and what it points to."""

    __slots__ = ("element", "tag", "children", "link_start", "link_target")

    def __init__(self, element: HtmlElement, tag: str, link_start: int | None, link_target: str | None) -> None:
        self.element = element
        self.tag = tag
        self.children: Iterator[HtmlElement] = iter(element)
        self.link_start = link_start
        self.link_target = link_target


@dataclass
class _Walker:
    """Writes an element's text into a buffer; `on_block` is called at block boundaries
    (the body starts a new paragraph there, an infobox value a new line)."""

    on_block: Callable[[HtmlElement], None]
    on_heading: Callable[[HtmlElement], bool] = lambda _element: True  # False: skip what the heading starts
    out: TextBuffer = field(default_factory=TextBuffer)
    skipping: bool = False
    in_pre: int = 0

    def walk(self, root: HtmlElement) -> None:
        """Document-order walk with an explicit stack (deep markup must not overflow Python's stack).
        A child's tail text belongs to its parent, so it is written even when the child is dropped."""
        stack = [self._enter(root, root.tag)]
        while stack:
            frame = stack[-1]
            child = next(frame.children, None)
            if child is None:
                stack.pop()
                self._leave(frame)
                if stack:
                    self._text(frame.element.tail)
                continue
            tag = child.tag  # a comment's or processing instruction's tag is not a string
            if isinstance(tag, str) and not _dropped(child, tag):
                stack.append(self._enter(child, tag))
            else:
                self._text(child.tail)

    def _enter(self, element: HtmlElement, tag: str) -> _Frame:
        if tag in _HEADINGS:
            self.skipping = not self.on_heading(element)
        if tag == "pre":
            self.in_pre += 1
        link_start = target = None
        if not self.skipping:
            self._open(element, tag)
            if tag == "a":
                target = _link_target(element)
                if target:
                    link_start = self.out.size
        self._text(element.text)
        return _Frame(element, tag, link_start, target)

    def _open(self, element: HtmlElement, tag: str) -> None:
        if tag == "br":
            self.out.write("\n")
        elif tag in _BLOCK_TAGS:
            self.on_block(element)
        elif (where := _where(element)) is not None:
            self.out.marks.append((self.out.size, *where))
        if tag in ("td", "th"):
            self.out.write(" ")

    def _leave(self, frame: _Frame) -> None:
        if frame.tag == "pre":
            self.in_pre -= 1
        if self.skipping:
            return
        if frame.link_start is not None and self.out.size > frame.link_start:
            self.out.links.append((frame.link_start, self.out.size, frame.link_target or ""))
        if frame.tag in _BLOCK_TAGS:
            self.on_block(frame.element)

    def _text(self, text: str | None) -> None:
        if not text or self.skipping or text.strip() in _TOGGLES:
            return
        self.out.write(text if self.in_pre else _HTML_SPACE.sub(" ", text))


def render_value(cell: HtmlElement) -> TextBuffer:
    """An infobox cell as text: list items, <br> and block elements start new lines."""
    out = TextBuffer()
    if len(cell) == 0 and cell.tag in ("td", "th"):  # text alone (most cells): what the walk below writes
        if (where := _where(cell)) is not None:
            out.marks.append((0, *where))
        out.write(" ")
        text = cell.text
        if text and text.strip() not in _TOGGLES:
            out.write(_HTML_SPACE.sub(" ", text))
        return out
    walker = _Walker(on_block=lambda _element: out.write("\n"), out=out)
    walker.walk(cell)
    return out


def plain_text(element: HtmlElement) -> str:
    return " ".join(render_value(element).text().split())


# ---------------------------------------------------------------- infobox


def _children(element: HtmlElement, *tags: str) -> list[HtmlElement]:
    return [child for child in element if _is_element(child) and child.tag in tags]


def _has_class(element: HtmlElement, name: str) -> bool:
    return any(name in c for c in _classes(element))


def _rows(table: HtmlElement) -> list[HtmlElement]:
    """The table's own rows (directly or in thead/tbody/tfoot), not those of tables nested in it."""
    rows = _children(table, "tr")
    for section in _children(table, "thead", "tbody", "tfoot"):
        rows.extend(_children(section, "tr"))
    return sorted(rows, key=lambda row: row.sourceline or 0)


def _add_infobox(layout: Layout, table: HtmlElement) -> None:
    seen_title = False
    for caption in _children(table, "caption")[:1]:
        seen_title = layout.add_field("title", "Title", render_value(caption).rendered(), _where(caption))
    for row in _rows(table):
        cells = _children(row, "th", "td")
        if len(cells) == 1:
            seen_title = _add_single_cell(layout, cells[0], seen_title) or seen_title
        elif len(cells) >= 2:
            label_cell, value_cell = cells[0], cells[1]
            if label_cell.tag == "td" and not _has_class(label_cell, "label"):
                continue  # two data cells: no label to name the row by
            label = plain_text(label_cell)
            key = KEYS_BY_LABEL.get(label.casefold()) or normalise_key(label)
            layout.add_field(key, label, render_value(value_cell).rendered(), _where(row))


def _add_single_cell(layout: Layout, cell: HtmlElement, seen_title: bool) -> bool:
    """A full-width row: the infobox title, a section header, a subheader or an image caption.
    True if it was the title."""
    if cell.tag == "th":
        if seen_title:
            layout.add_field("header", "Header", render_value(cell).rendered(), _where(cell))
            return False
        return layout.add_field("title", "Title", render_value(cell).rendered(), _where(cell))
    if _has_class(cell, "subheader"):
        layout.add_field("subheader", "Subheader", render_value(cell).rendered(), _where(cell))
    elif _has_class(cell, "below"):
        return False  # links to the text elsewhere (Wikisource): not about the treaty
    else:
        captions = _CAPTIONS(cell)
        if captions:
            layout.add_field("caption", label_for("caption"), render_value(captions[0]).rendered(), _where(captions[0]))
        elif not _IMAGES(cell):
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

    def block(self, element: HtmlElement) -> None:
        self.flush()
        self.start = _where(element)

    def heading(self, element: HtmlElement) -> bool:
        level = _HEADINGS[element.tag]
        if self.skip_level is not None and level > self.skip_level:
            return False
        self.skip_level = level if is_dropped_section(plain_text(element)) else None
        return self.skip_level is None


def _first(document: HtmlElement, xpath: lxml.etree.XPath) -> HtmlElement | None:
    found = xpath(document)
    return found[0] if found and _is_element(found[0]) else None


def _title(document: HtmlElement, root: HtmlElement) -> tuple[str, tuple[int, int] | None] | None:
    heading = _first(document, _FIRST_HEADING)
    if heading is not None and plain_text(heading):
        return plain_text(heading), _where(heading)
    title = _first(document, _TITLE)
    if title is not None and _TEXT_CONTENT(title).strip():
        return _SITE_SUFFIX.sub("", " ".join(_TEXT_CONTENT(title).split())), _where(title)
    heading = _first(root, _ANY_H1)
    if heading is not None and plain_text(heading):
        return plain_text(heading), _where(heading)
    return None


def _content_root(document: HtmlElement) -> HtmlElement:
    for xpath in _CONTENT_ROOTS:
        found = _first(document, xpath)
        if found is not None:
            return found
    return document


def parse(source: str) -> tuple[HtmlElement, list[str]]:
    """The document and notes on what the parser could not read. lxml.html's parser is lxml's HTML parser
    with a Python class lookup called for every element the walk touches; the elements' common API is enough."""
    parser = lxml.etree.HTMLParser(encoding="utf-8", huge_tree=True)
    try:
        document = lxml.etree.fromstring(source.encode("utf-8"), parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError):
        document = None
    if document is None:
        raise Unreadable("no article text in the HTML (the parser found no document)")
    problems = []
    for error in parser.error_log:
        if "Excessive depth" in error.message:
            problems.append(f"HTML nested too deeply at line {error.line}: the rest of the file was not read")
            break
    return document, problems


_HTML_OPEN = re.compile(r"<html[\s>]", re.I)
_HTML_CLOSE = re.compile(r"</html\s*>", re.I)


def read_html(source: str, limits: IngestLimits) -> Layout:
    document, problems = parse(source)
    root = _content_root(document)
    layout = Layout(problems=problems)
    title = _title(document, root)
    if title:
        layout.add_title(*title)
    for table in _INFOBOXES(root):
        if not any(is_dropped(parent) for parent in table.iterancestors()):
            _add_infobox(layout, table)
    body = _Body(layout)
    body.walker.walk(root)
    body.flush()
    if not layout.has_body and not layout.fields:
        reason = "no article text in the HTML (only navigation, scripts or markup)"
        raise Unreadable("; ".join([reason, *layout.problems]))
    if _HTML_OPEN.search(source) and not _HTML_CLOSE.search(source):
        layout.problems.append("HTML ends early (no </html>): read what is there")
    return layout
