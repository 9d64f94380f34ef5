"""The typed interfaces between pipeline stages: ingest -> extract -> graph -> reason -> validate.

Every value here is immutable, so a stage can never change what an earlier stage produced,
and records can be cached (per article, per extractor version) and compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Format = Literal["text", "html", "wikitext"]


class TreatygraphError(Exception):
    """An error a user can act on; the CLI prints it as one line, without a traceback."""


class IngestError(TreatygraphError):
    """An article that could not be read. Names the file and, where known, the line or offset."""

    def __init__(self, path: str, reason: str, line: int | None = None, offset: int | None = None) -> None:
        where = f":{line}" if line is not None else (f" @{offset}" if offset is not None else "")
        super().__init__(f"{path}{where}: {reason}")
        self.path = path
        self.reason = reason
        self.line = line
        self.offset = offset


# ---------------------------------------------------------------- ingest


@dataclass(frozen=True)
class InfoboxField:
    """One infobox row. `key` is normalised (lower case, `_` for spaces: "date_signed", "signatories");
    `label` is as shown ("Signed"). The row is part of the article's plain text as a line
    "Label | value", and begin/end locate `value` in that text (items of a list value are separated by newlines)."""

    key: str
    label: str
    value: str
    begin: int
    end: int


@dataclass(frozen=True)
class LinkHint:
    """A wiki link reduced to its text: text[begin:end] was `[[target|text]]` in the source."""

    begin: int
    end: int
    target: str


@dataclass(frozen=True)
class SourceAnchor:
    """text offset `text_offset` corresponds to `line`:`column` (1-based line, 0-based column) in the source file."""

    text_offset: int
    line: int
    column: int


@dataclass(frozen=True)
class IngestedArticle:
    """An article reduced to one plain text. Evidence offsets are code-point offsets into `text`."""

    path: str  # path relative to the corpus root, "/"-separated
    format: Format
    text: str
    title: str | None  # page title where the format gives one (h1, infobox name, first line)
    fields: tuple[InfoboxField, ...] = ()
    links: tuple[LinkHint, ...] = ()
    anchors: tuple[SourceAnchor, ...] = ()  # sorted by text_offset
    content_sha256: str = ""  # of the raw bytes
    problems: tuple[str, ...] = ()  # non-fatal oddities (encoding fallback, truncated markup)

    def source_position(self, offset: int) -> tuple[int, int] | None:
        """(line, column) in the source file of a text offset, from the nearest anchor before it."""
        best: SourceAnchor | None = None
        for anchor in self.anchors:
            if anchor.text_offset > offset:
                break
            best = anchor
        if best is None:
            return None
        return best.line, best.column + (offset - best.text_offset)


# ---------------------------------------------------------------- extract


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: text[begin:end] == quote (normally the sentence or infobox row)."""

    begin: int
    end: int
    quote: str


@dataclass(frozen=True)
class Provenance:
    rule: str  # name of the extraction rule that made the fact
    confidence: float  # 0..1
    evidence: Evidence


@dataclass(frozen=True)
class TreatyRef:
    """A treaty the article talks about. `key` is local to the article ("T0" is the article's subject)."""

    key: str
    label: str  # preferred English name
    year: int | None = None  # signing year where known: tells same-named treaties apart across articles
    kind: str | None = None  # "peace treaty", "alliance", ... where the article states it


@dataclass(frozen=True)
class NameFact:
    treaty: str
    name: str
    lang: str | None  # BCP 47 tag: "en", "zh-Hant", "zh-Latn-pinyin", ...
    prov: Provenance


DateKind = Literal["signed", "effective", "ended"]


@dataclass(frozen=True)
class DateFact:
    treaty: str
    kind: DateKind
    value: str  # ISO: "1945", "1945-08" or "1945-08-14"
    prov: Provenance
    how: str | None = None  # for "ended": a key of vocab.ENDING_KINDS


@dataclass(frozen=True)
class PlaceFact:
    treaty: str
    place: str
    prov: Provenance


AgentRole = Literal["party", "signer"]


@dataclass(frozen=True)
class AgentFact:
    treaty: str
    role: AgentRole
    name: str  # the name as normalised by the extractor ("Republic of China")
    prov: Provenance
    entity: str | None = None  # gazetteer Q-id when linked


@dataclass(frozen=True)
class LineageFact:
    treaty: str  # the later treaty
    kind: Literal["supersedes", "based_on"]
    earlier: str  # key of the earlier TreatyRef
    prov: Provenance


@dataclass(frozen=True)
class ViolationFact:
    treaty: str
    violator: str
    prov: Provenance
    violator_entity: str | None = None
    determined_by: str | None = None  # key of a ResolutionFact, or a body's name
    date: str | None = None


@dataclass(frozen=True)
class ResolutionFact:
    key: str  # local to the article ("R0")
    label: str  # "United Nations General Assembly Resolution 505", "Legislative Yuan vote of 24 February 1953"
    kind: Literal["unga", "unsc", "legislative", "court", "other"]
    prov: Provenance
    number: str | None = None
    body: str | None = None
    body_entity: str | None = None
    date: str | None = None
    concerns: str | None = None  # treaty key
    decision: str | None = None  # a key of vocab.DECISIONS


Fact = NameFact | DateFact | PlaceFact | AgentFact | LineageFact | ViolationFact | ResolutionFact


@dataclass(frozen=True)
class ArticleFacts:
    """Everything extracted from one article: small, picklable, cacheable."""

    path: str
    format: Format
    title: str | None
    text_length: int
    content_sha256: str
    treaties: tuple[TreatyRef, ...]
    facts: tuple[Fact, ...]
    problems: tuple[str, ...] = ()
    extractor_version: str = ""


@dataclass(frozen=True)
class ArticleReport:
    """One line of report.json."""

    path: str
    format: str
    status: Literal["ok", "empty", "failed"]
    counts: dict[str, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
