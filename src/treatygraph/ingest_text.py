"""Shared machinery of the ingest readers, and the reader for plain text.

A reader turns decoded source text into a `Layout`: one plain text laid out as

    Title
    <blank line>
    Label | value            one line per infobox row (a list value goes on with one item per line)
    <blank line>
    Heading / paragraph      one block per heading, paragraph or list item, separated by blank lines

with infobox fields, link hints and source anchors pointing into it. `squeeze` normalises
whitespace while keeping spans (links, source marks) pointing at the same characters.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from .types import InfoboxField, LinkHint, SourceAnchor


class Unreadable(Exception):  # noqa: N818 - a reason, not a bug: ingest_file turns it into IngestError
    """Raised by a reader for a file it cannot turn into an article; ingest_file adds the path."""

    def __init__(self, reason: str, line: int | None = None, offset: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.offset = offset


# Sections whose content is about other pages, not facts about the article's subject.
DROPPED_SECTIONS: frozenset[str] = frozenset(
    {
        "see also",
        "references",
        "notes",
        "footnotes",
        "citations",
        "sources",
        "further reading",
        "external links",
        "bibliography",
        "notes and references",
        "references and notes",
        "works cited",
        "related pages",
    }
)


def is_dropped_section(title: str) -> bool:
    return " ".join(title.split()).strip(" :").casefold() in DROPPED_SECTIONS


class Rendered(NamedTuple):
    """A piece of plain text with link spans ((begin, end, target)) and source marks
    ((offset in text, source line, source column)) relative to it. A named tuple (made in C): there are dozens
    an article."""

    text: str
    links: tuple[tuple[int, int, str], ...] = ()
    marks: tuple[tuple[int, int, int], ...] = ()


class TextBuffer:
    """Plain text being rendered, with link spans and source marks (a plain class: made for every block and
    infobox cell, where a dataclass's generated __init__ with list factories costs more)."""

    __slots__ = ("parts", "size", "links", "marks")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.links: list[tuple[int, int, str]] = []
        self.marks: list[tuple[int, int, int]] = []

    def write(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.size += len(text)

    def rendered(self) -> Rendered:
        return Rendered("".join(self.parts), tuple(self.links), tuple(self.marks))

    def text(self) -> str:
        return "".join(self.parts)


# Whitespace runs that squeeze changes, but for a lone space at either end: every run but a lone space, i.e.
# two or more whitespace characters, or one that is not a space. Written as \s followed by the rest (not as
# "\s{2,}|[^\S ]"), as a pattern that starts with a character class is searched quickly (only at whitespace).
_WS_CHANGED = re.compile(r"\s(?:\s+|(?<=[^\S ]))")


def _offset_map(text: str, size: int) -> Callable[[int], int]:
    """Offsets in `text` -> offsets in its squeezed copy (`size` long): an offset between changed whitespace
    runs moves back by what the runs before it lost; one inside a run goes into the run's replacement."""
    starts: list[int] = []
    ends: list[int] = []
    kept: list[int] = []  # the replacement's length: "" at the ends, else one character
    lost: list[int] = []  # characters the runs before this one lost
    total = 0
    length = len(text)
    spans = [match.span() for match in _WS_CHANGED.finditer(text)]
    if text[:1] == " " and not (spans and spans[0][0] == 0):
        spans.insert(0, (0, 1))
    if text[-1:] == " " and not (spans and spans[-1][1] == length):
        spans.append((length - 1, length))
    for start, end in spans:
        width = 0 if start == 0 or end == length else 1
        starts.append(start)
        ends.append(end)
        kept.append(width)
        lost.append(total)
        total += end - start - width

    def where(offset: int) -> int:
        i = bisect.bisect_right(starts, offset) - 1
        if i < 0:
            return min(max(offset, 0), size)
        if offset < ends[i]:
            return starts[i] - lost[i] + min(offset - starts[i], kept[i])
        return min(offset - lost[i] - (ends[i] - starts[i] - kept[i]), size)

    return where


def _squeezed(text: str, single_line: bool) -> str:
    if single_line:
        return " ".join(text.split())
    # one line per line that has text, its whitespace runs made single spaces
    return "\n".join([" ".join(line.split()) for line in text.split("\n") if line and not line.isspace()])


def _squeeze_with_map(text: str, single_line: bool) -> tuple[str, Callable[[int], int]]:
    """The squeezed text and the map of offsets into it. A text whose only whitespace is lone spaces (most
    paragraphs and cells) just loses a space at either end: its map is a shift, found without the runs."""
    if _WS_CHANGED.search(text) is None:
        lead = 1 if text[:1] == " " else 0
        result = text[lead:].removesuffix(" ")
        size = len(result)
        return result, lambda offset: min(max(offset - lead, 0), size)
    result = _squeezed(text, single_line)
    return result, _offset_map(text, len(result))


def squeeze(piece: Rendered, *, single_line: bool = False) -> Rendered:
    """Collapse whitespace (runs with a newline -> one newline, others -> one space), strip the ends,
    and move link spans and marks along. `single_line` turns newlines into spaces too."""
    text = piece.text.replace("\xa0", " ")
    if not piece.links and not piece.marks:
        return Rendered(_squeezed(text, single_line))
    result, where = _squeeze_with_map(text, single_line)
    links = []
    for begin, end, target in piece.links:
        new_begin, new_end = where(begin), where(end)
        while new_begin < new_end and result[new_begin].isspace():
            new_begin += 1
        while new_end > new_begin and result[new_end - 1].isspace():
            new_end -= 1
        if new_begin < new_end:
            links.append((new_begin, new_end, target))
    return Rendered(result, tuple(links), tuple((where(offset), line, col) for offset, line, col in piece.marks))


@dataclass
class Layout:
    """Builds the article text in the order title, infobox rows, body blocks."""

    parts: list[str] = field(default_factory=list)
    size: int = 0
    title: str | None = None
    fields: list[InfoboxField] = field(default_factory=list)
    links: list[LinkHint] = field(default_factory=list)
    anchors: list[SourceAnchor] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _group: str = ""

    def _write(self, text: str) -> int:
        start = self.size
        self.parts.append(text)
        self.size += len(text)
        return start

    def _separate(self, group: str) -> None:
        if self.size:
            self._write("\n" if group == self._group == "fields" else "\n\n")
        self._group = group

    def _anchor(self, offset: int, where: tuple[int, int] | None) -> None:
        if where is not None:
            self.anchors.append(SourceAnchor(offset, where[0], where[1]))

    def _place(self, piece: Rendered, at: int) -> None:
        for begin, end, target in piece.links:
            self.links.append(LinkHint(at + begin, at + end, target))
        for offset, line, col in piece.marks:
            self.anchors.append(SourceAnchor(at + offset, line, col))

    def add_title(self, title: str, where: tuple[int, int] | None) -> None:
        title = squeeze(Rendered(title), single_line=True).text
        if not title:
            return
        self.title = title
        self._separate("title")
        self._anchor(self._write(title), where)

    def add_field(self, key: str, label: str, value: Rendered, where: tuple[int, int] | None) -> bool:
        """One infobox row "Label | value"; rows with an empty value are left out. True if written."""
        value = squeeze(value)
        label = squeeze(Rendered(label), single_line=True).text
        if not value.text or not key:
            return False
        self._separate("fields")
        self._anchor(self._write(f"{label or key} | "), where)
        start = self._write(value.text)
        self._place(value, start)
        self.fields.append(InfoboxField(key, label or key, value.text, start, start + len(value.text)))
        return True

    def add_block(self, piece: Rendered, where: tuple[int, int] | None) -> bool:
        """A heading, paragraph or list item of the body; blank ones are left out. True if written."""
        piece = squeeze(piece)
        if not piece.text:
            return False
        self._separate("body")
        start = self._write(piece.text)
        self._anchor(start, where)
        self._place(piece, start)
        return True

    @property
    def has_body(self) -> bool:
        return self._group == "body"

    def text(self) -> str:
        return "".join(self.parts)

    def sorted_anchors(self) -> tuple[SourceAnchor, ...]:
        """Anchors by text offset, one per offset (the last one given wins: it follows dropped markup)."""
        seen: dict[int, SourceAnchor] = {}
        for anchor in self.anchors:
            seen[anchor.text_offset] = anchor
        return tuple(seen[offset] for offset in sorted(seen))


_NEWLINE = re.compile("\n")


class LineIndex:
    """Offsets in a source string -> (1-based line, 0-based column)."""

    def __init__(self, source: str) -> None:
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(source)]

    def __call__(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line]


def line_anchors(text: str) -> Iterable[SourceAnchor]:
    """One anchor per line of a text that is its own source."""
    yield SourceAnchor(0, 1, 0)
    for number, match in enumerate(_NEWLINE.finditer(text), start=2):
        if match.end() < len(text):
            yield SourceAnchor(match.end(), number, 0)


def read_text(source: str, limits: object) -> Layout:
    """Plain text is kept as it is (newlines are already normalised), boilerplate included."""
    layout = Layout()
    layout.parts.append(source)
    layout.size = len(source)
    layout.anchors.extend(line_anchors(source))
    return layout


# ---------------------------------------------------------------- infobox labels

INFOBOX_LABELS: dict[str, str] = {
    "name": "Name",
    "long_name": "Long name",
    "type": "Type",
    "context": "Context",
    "date_drafted": "Drafted",
    "date_signed": "Signed",
    "location_signed": "Location",
    "date_sealed": "Sealed",
    "date_effective": "Effective",
    "condition_effective": "Condition",
    "date_expiration": "Expiration",
    "date_expiry": "Expiry",
    "mediators": "Mediators",
    "negotiators": "Negotiators",
    "original_signatories": "Original signatories",
    "signatories": "Signatories",
    "parties": "Parties",
    "ratifiers": "Ratifiers",
    "depositor": "Depositary",
    "depositories": "Depositaries",
    "language": "Language",
    "languages": "Languages",
    "caption": "Caption",
    "citations": "Citations",
    "footnotes": "Footnotes",
    "wikisource": "Wikisource",
    # {{Infobox Chinese}} and friends
    "title": "Title",
    "c": "Chinese",
    "t": "Traditional Chinese",
    "s": "Simplified Chinese",
    "p": "Hanyu Pinyin",
    "w": "Wade–Giles",
    "j": "Jyutping",
    "poj": "Hokkien POJ",
    "kanji": "Kanji",
    "kyujitai": "Kyūjitai",
    "shinjitai": "Shinjitai",
    "hiragana": "Hiragana",
    "romaji": "Romanization",
    "revhep": "Revised Hepburn",
}


# Labels as a page shows them -> the key the wikitext uses, so fields have the same keys in every format.
KEYS_BY_LABEL: dict[str, str] = {label.casefold(): key for key, label in INFOBOX_LABELS.items()}


def normalise_key(raw: str) -> str:
    return "_".join(raw.strip().casefold().split())


def label_for(key: str) -> str:
    return INFOBOX_LABELS.get(key) or key.replace("_", " ").strip().capitalize()
