"""Sentence segmentation that survives abbreviations ("U.S.", "Mr.", "D.C."), initials and citation markers.

Lines are hard boundaries too: infobox rows and headings are one line each in every ingested text.
Offsets are code points of the article's plain text.
"""

from __future__ import annotations

import re
from typing import NamedTuple

ABBREVIATIONS = frozenset(
    """mr mrs ms dr st mt ft jr sr sen rep gen col lt capt cmdr adm gov pres prof rev hon
    no nos vol vols pp p art arts ch sec cf e.g i.e etc vs viz ca approx c inc ltd co corp bros
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n u.s.s.r d.c n.y s.s h.m.s o.s n.s
    a.d b.c est dept univ assn""".split()
)
_BOUNDARY = re.compile(r"[.!?](?:[\"'’”)\]]*)(?:\[\d+\]|\[[a-z]\]|\[citation needed\])*(?=\s+[\"'“(]?[A-Z0-9À-ÖØ-Þ])")


_LINE = re.compile(r"[^\n]+")
_STOP = re.compile(r"[.!?]")


class Sentence(NamedTuple):
    """A sentence of a text (a named tuple: made by the thousand, and a tuple is made in C)."""

    begin: int
    end: int
    text: str


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at `dot` ends an abbreviation or an initial rather than a sentence."""
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    if not word:
        return False
    if word in ABBREVIATIONS or word.rstrip(".") in ABBREVIATIONS:
        return True
    return len(word) == 1 and text[start].isupper()  # an initial: "Harry S. Truman"


def _split_line(text: str, begin: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = begin
    for match in _BOUNDARY.finditer(text, begin, end):
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, end))
    return spans


def split_sentences(text: str) -> list[Sentence]:
    """Sentences in text order, stripped of surrounding whitespace; never empty, never outside the text."""
    sentences: list[Sentence] = []
    for line in _LINE.finditer(text):
        start, stop = line.span()
        # a line without . ! or ? (a title, an infobox row) is one sentence
        spans = _split_line(text, start, stop) if _STOP.search(text, start, stop) else ((start, stop),)
        for begin, end in spans:
            piece = text[begin:end]
            stripped = piece.strip()
            if stripped:
                begin += len(piece) - len(piece.lstrip())
                sentences.append(Sentence(begin, begin + len(stripped), stripped))
    return sentences
