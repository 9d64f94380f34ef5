"""Names of states, organisations, organs and persons, with verified Wikidata / DBpedia identifiers.

A name links to an entry only when the name and the treaty's year pick exactly one row: a link in a
research graph must be certain, so anything the gazetteer cannot decide stays unlinked and is reported.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

GAZETTEER_PATH = Path(__file__).with_name("data") / "gazetteer.tsv"
# Period names the gazetteer leaves out on purpose (e.g. "Russia" for Soviet Russia in 1918), each valid only
# within its years, so they can never override a row that covers a date better.
EXTRA_ALIASES_PATH = Path(__file__).with_name("data") / "aliases-extra.tsv"

POLITY_TYPES = frozenset({"state", "historical_state", "government", "organisation"})


@dataclass(frozen=True)
class Entry:
    qid: str
    label: str
    type: str  # state | historical_state | government | organisation | organ | person
    aliases: tuple[str, ...]
    start: int | None
    end: int | None
    dbpedia: str | None

    def covers(self, year: int) -> bool:
        return (self.start is None or self.start <= year) and (self.end is None or year <= self.end)

    @property
    def is_current(self) -> bool:
        return self.start is None and self.end is None


LinkStatus = Literal["linked", "ambiguous", "unknown"]


@dataclass(frozen=True)
class Link:
    """The outcome of looking a name up: the entry when certain, else the candidates that were possible."""

    name: str
    status: LinkStatus
    entry: Entry | None = None
    candidates: tuple[str, ...] = ()  # Q-ids, when ambiguous


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key; a leading "the" is ignored."""
    if name.isascii():  # nothing to decompose, no accents, no typographic quotes or dashes
        text = name.lower()
    else:
        text = unicodedata.normalize("NFKD", name)
        text = "".join(c for c in text if not unicodedata.combining(c)).lower()
        text = text.replace("’", "'").replace("–", "-").replace("—", "-")
    text = _DOTS_AND_SPACES.sub(" ", text).strip(" ,;:")
    return text[4:] if text.startswith("the ") else text


_DOTS_AND_SPACES = re.compile(r"[.\s]+")
_NAME_WORD = re.compile(r"[\w'’.\-–]+")


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _year(value: str) -> int | None:
    return int(value) if value.strip().lstrip("-").isdigit() else None


class Gazetteer:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.by_qid = {e.qid: e for e in entries}
        self._by_name: dict[str, list[Entry]] = {}
        for entry in entries:
            for name in (entry.label, *entry.aliases):
                bucket = self._by_name.setdefault(name_key(name), [])
                if entry not in bucket:
                    bucket.append(entry)
        self.max_words = max(len(k.split()) for k in self._by_name)
        surnames: dict[str, set[str]] = {}
        for entry in entries:
            if entry.type == "person":
                for name in (entry.label, *entry.aliases):
                    if len(name.split()) > 1:
                        surnames.setdefault(name_key(name.split()[-1]), set()).add(entry.qid)
        # a surname alone ("Kellogg") names a person only when one person in the gazetteer bears it
        self._by_surname = {k: self.by_qid[next(iter(v))] for k, v in surnames.items() if len(v) == 1}

    def person_by_surname(self, surname: str) -> Entry | None:
        return self._by_surname.get(name_key(surname))

    @classmethod
    def load(cls, path: Path = GAZETTEER_PATH, extra: Path | None = EXTRA_ALIASES_PATH) -> Gazetteer:
        rows = _read_tsv(path)
        entries = [
            Entry(
                qid=row["qid"],
                label=row["label"],
                type=row["type"],
                aliases=tuple(a for a in row["aliases"].split("|") if a),
                start=_year(row["start"]),
                end=_year(row["end"]),
                dbpedia=row["dbpedia"] or None,
            )
            for row in rows
        ]
        by_qid = {e.qid: e for e in entries}
        for row in _read_tsv(extra) if extra else []:
            base = by_qid[row["qid"]]
            entries.append(replace(base, aliases=(row["alias"],), start=_year(row["start"]), end=_year(row["end"])))
        return cls(entries)

    def knows(self, name: str) -> bool:
        return name_key(name) in self._by_name

    def candidates(self, name: str) -> list[Entry]:
        return list(self._by_name.get(name_key(name), ()))

    def lookup(self, name: str, year: int | None = None) -> Link:
        return self._lookup(name, year)

    @lru_cache(maxsize=65536)  # noqa: B019 - one gazetteer per process, kept for the process's life
    def _lookup(self, name: str, year: int | None) -> Link:
        """Resolve a name at a date: the row whose years contain it, else the current state; else undecided."""
        found = self.candidates(name)
        if not found:
            return Link(name, "unknown")
        if len(found) == 1:
            only = found[0]
            if year is None or only.covers(year) or only.type in ("person",):
                return Link(name, "linked", only)
            return Link(name, "ambiguous", candidates=(only.qid,))
        if year is not None:
            dated = [e for e in found if not e.is_current and e.covers(year)]
            # one period covers the year, and not on its edge (Germany in 1918 could be either regime)
            if len({e.qid for e in dated}) == 1 and year not in (dated[0].start, dated[0].end):
                return Link(name, "linked", dated[0])
            if not dated:
                current = [e for e in found if e.is_current]
                if len(current) == 1:
                    return Link(name, "linked", current[0])
        return Link(name, "ambiguous", candidates=tuple(dict.fromkeys(e.qid for e in found)))

    def find_in(self, text: str) -> list[tuple[int, int, str]]:
        """Longest gazetteer names inside `text`: (begin, end, surface) spans, left to right, not overlapping."""
        return list(self._find_in(text))

    @lru_cache(maxsize=16384)  # noqa: B019 - one gazetteer per process
    def _find_in(self, text: str) -> tuple[tuple[int, int, str], ...]:
        spans: list[tuple[int, int, str]] = []
        words = list(_NAME_WORD.finditer(text))
        i = 0
        while i < len(words):
            if not text[words[i].start()].isupper():
                i += 1  # every candidate starts with this word, and a name must start upper-case
                continue
            match = None
            for n in range(min(self.max_words, len(words) - i), 0, -1):
                begin, end = words[i].start(), words[i + n - 1].end()
                surface = text[begin:end].rstrip(".,")
                if surface[:1].isupper() and name_key(surface) in self._by_name:
                    match = (begin, begin + len(surface), surface, n)
                    break
            if match:
                spans.append(match[:3])
                i += match[3]
            else:
                i += 1
        return tuple(spans)


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    return Gazetteer.load()
