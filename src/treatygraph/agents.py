"""Parties and signers in the lists articles write: "Germany, France, Britain, and Italy",
"the Central Powers (Germany, Austria-Hungary, Bulgaria, and the Ottoman Empire)",
"German Foreign Minister Joachim von Ribbentrop and Soviet Foreign Minister Vyacheslav Molotov".

A name becomes a party only if the gazetteer knows it as a polity or it reads like one ("... Republic",
"Kingdom of ..."); a person only if the gazetteer knows it as a person or it reads like a personal name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Literal, NamedTuple

from .gazetteer import POLITY_TYPES, Gazetteer, Link

AgentKind = Literal["polity", "organ", "person"]

POLITY_WORDS = re.compile(
    r"\b(?:Republic|Kingdom|Empire|Union|States|Government|Powers|Allies|Federation|Confederation|Reich|Dynasty"
    r"|Sultanate|Emirate|Principality|Duchy|Grand Duchy|Commonwealth|Nations|Caliphate|Khanate|Shogunate|Crown"
    r"|Entente|Coalition|League|Community|Organization|Organisation|Porte|Raj|Protectorate|Mandate)\b"
)
LEGISLATURE_WORDS = re.compile(
    r"\b(?:Senate|Congress|Parliament|Assembly|Dáil|Dail|Diet|Duma|Yuan|Sejm|Bundestag|Reichstag|House of Commons"
    r"|House of Lords|House of Representatives|Chamber of Deputies|Cortes|Knesset|Majlis|Storting|Riksdag|Supreme Soviet"
    r"|Verkhovna Rada|Folketing|Eduskunta|Oireachtas|Seanad|Legislature|Legislative Council|National Council"
    r"|Federal Council|States General|Security Council|General Assembly|Court of Justice|Court)\b"
)
_REGIME_PREFIX = re.compile(
    r"\b(?:Kingdom|Empire|Principality|Duchy|Sultanate|Emirate|Khanate|Tsardom|Republic|Dominion|Commonwealth)\s+of\s+(?:the\s+)?$"
)
TITLE_WORDS = frozenset(
    """President Vice Prime Minister Ministers Foreign Secretary Chancellor King Queen Emperor Empress Tsar Czar Kaiser
    Sultan Shah Ambassador Ambassadors Envoy Envoys Sir Lord Lady General Marshal Field Admiral Count Countess Baron
    Prince Princess Duke Premier Chairman Representative Representatives representative representatives Delegate
    Delegates delegate delegates Dr Dr. Mr Mr. Mrs Mrs. Commissioner Plenipotentiary plenipotentiary plenipotentiaries
    Governor Viceroy Marquess Marquis Earl Viscount Chief Commander Colonel Captain Senator Secretary-General State
    Deputy Acting Interior Affairs Defence Defense War Navy Finance Justice Councillor Chancellor Leader Head Pope
    Cardinal Archbishop Bishop Grand Vizier Pasha Consul Minister-President Mayor Negotiator negotiator negotiators
    Chief-of-Staff of the for and Nationalist National Provisional Imperial Royal Presidents Kings Queens Emperors
    Chancellors Premiers Secretaries Generals Admirals Leaders Heads""".split()
)
ROLE_NOUNS = frozenset(
    """lawyer diplomat merchant statesman politician envoy minister ambassador secretary under-secretary commissioner
    commissioners leader president premier chancellor general admiral delegate delegates negotiator representative
    plenipotentiary foreign prime vice chief head emperor king queen ruler sultan monarch regent pope cardinal
    ambassador-at-large consul governor viceroy marshal officer colonel""".split()
)
DEMONYMS = frozenset(
    """American British English French German Soviet Russian Japanese Chinese Qing Italian Austrian Hungarian Ottoman
    Turkish Polish Spanish Portuguese Dutch Belgian Swedish Danish Norwegian Greek Romanian Bulgarian Serbian Mexican
    Irish Israeli Egyptian Palestinian Indian Pakistani Korean Vietnamese Canadian Australian Prussian Bavarian Saxon
    U.S. US UK Czech Slovak Yugoslav Finnish Estonian Latvian Lithuanian Ukrainian Persian Iranian Iraqi Syrian Jordanian
    Lebanese Saudi Afghan Thai Siamese Burmese Brazilian Argentine Chilean Peruvian Colombian Venezuelan Cuban
    Nazi Weimar Bolshevik Allied Confederate Union Imperial Nationalist Communist Manchu Mongolian Tibetan Swiss""".split()
)
_NOT_NAMES = frozenset(
    """The This That These Those It He She They We In On At By For From With After Before During Although However
    World War Treaty Pact Agreement Convention Protocol Conference Article Articles Act Its Their His Her Council
    Committee Commission Office Ministry Cabinet Court Assembly Parliament Senate Congress Navy Army Movement Party
    Front Forces Revolution Republic Kingdom Empire Union""".split()
)


class AgentName(NamedTuple):
    """A name found in a list, as written (`surface`) and where (`begin`, `end` in the text). A named tuple:
    made by the thousand, and a tuple is made in C."""

    surface: str
    begin: int
    end: int
    kind: AgentKind
    link: Link


_LIST_JOINER = re.compile(r"[,;]|\band\b")
_LIST_CHUNK = re.compile(r"[^,;—–\n]+")
_AND_SPLIT = re.compile(r"\s+(?:and|&|as well as|together with)\s+")
_ITEM_LEAD = re.compile(r"(?:and|or|also|both|then|by|the|its)\s+")
_INITIAL = re.compile(r"[A-Z]\.")
_REMARKS = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_FOOTNOTES = re.compile(r"\[[^\]]*\]")
_LEADING_THE = re.compile(r"^(?:the|The)\s+")
_NAME_FOLLOWS = re.compile(r"\.?\s+[A-Z]")


def _nulled(match: re.Match[str]) -> str:
    return "\x00" * len(match.group())


def split_list(text: str, begin: int = 0, keep: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Items of "A, B, and C" / "A; B" / "A and B" / "A—B, C" as (begin, end) spans, offsets shifted by `begin`.
    Spans in `keep` (known names such as "United Kingdom of Great Britain and Northern Ireland") are never split."""
    protected = text
    for b, e in keep:
        protected = protected[:b] + _LIST_JOINER.sub(_nulled, protected[b:e]) + protected[e:]
    items: list[tuple[int, int]] = []
    for match in _LIST_CHUNK.finditer(protected):
        chunk_start = match.start()
        parts = _AND_SPLIT.split(match.group())
        offset = chunk_start
        for part in parts:
            local = protected.find(part, offset)
            offset = local + len(part)
            part = text[local : local + len(part)]
            stripped = part.strip()
            if not stripped:
                continue
            lead = local + part.find(stripped)
            stripped_lead = _ITEM_LEAD.match(stripped)
            if stripped_lead:
                lead += stripped_lead.end()
                stripped = stripped[stripped_lead.end() :]
            if stripped:
                items.append((begin + lead, begin + lead + len(stripped)))
    return items


def _bare_word(word: str) -> str:
    """Punctuation off a word, but an initial keeps its period ("James A. Bayard")."""
    word = word.strip(",;:")
    return word if _INITIAL.fullmatch(word) else word.strip(".")


def person_core(surface: str) -> str | None:
    """ "German Foreign Minister Joachim von Ribbentrop" -> "Joachim von Ribbentrop"; None if not a personal name."""
    words = _REMARKS.sub("", surface).split()
    last_title = -1
    for i, word in enumerate(words):
        bare = word.strip(",.")
        if (
            bare in TITLE_WORDS
            or bare.capitalize() in TITLE_WORDS
            or bare in DEMONYMS
            or bare.lower() in ROLE_NOUNS
            or bare.endswith(("'s", "’s"))
        ):
            last_title = i
    core = [
        _bare_word(w)
        for w in words[last_title + 1 :]
        if w.lower().strip(",.") not in ("himself", "herself", "themselves")
    ]
    if not core or len(core) > 5:
        return None
    capitals = [w for w in core if w[:1].isupper()]
    connectors = [w for w in core if w in ("von", "van", "de", "der", "da", "di", "du", "la", "le", "bin", "ibn", "al")]
    if len(capitals) + len(connectors) != len(core) or not capitals or core[0] in _NOT_NAMES:
        return None
    if any(POLITY_WORDS.search(w) or LEGISLATURE_WORDS.search(w) for w in core):
        return None
    return " ".join(core)


def polity_core(surface: str, gazetteer: Gazetteer) -> str | None:
    """The polity a list item names: the gazetteer's longest known name inside it ("the new Bolshevik government
    of Soviet Russia" -> "Soviet Russia"), else the item itself when it reads like a polity ("Irish Republic")."""
    cleaned = _FOOTNOTES.sub("", surface).strip(" .,;:")
    for begin, _end, name in gazetteer.find_in(cleaned):
        if _REGIME_PREFIX.search(cleaned[:begin]):
            break  # "Kingdom of Serbia" is not today's Serbia: keep the whole name, unlinked
        entries = gazetteer.candidates(name)
        if any(e.type in POLITY_TYPES for e in entries):
            return name
    cleaned = _LEADING_THE.sub("", cleaned)
    words = cleaned.split()
    if (
        (2 <= len(words) <= 8 or cleaned in ("Allies", "Axis", "Entente"))  # "Kingdom" alone names no one
        and cleaned[:1].isupper()
        and POLITY_WORDS.search(cleaned)
        and not LEGISLATURE_WORDS.search(cleaned)
    ):
        if all(w[:1].isupper() or w in ("of", "the", "and", "for") for w in words):
            return cleaned
    return None


def classify(surface: str, begin: int, gazetteer: Gazetteer, year: int | None) -> AgentName | None:
    """Party (polity), organ, or person for one list item; None when it is neither for certain."""
    reading = _reading(surface, gazetteer)
    if reading is None:
        return None
    name, offset, link = reading
    kind: AgentKind = "person"
    if link is None:  # a polity, linked at the treaty's year
        link = gazetteer.lookup(name, year)
        kind = "organ" if link.entry and link.entry.type == "organ" else "polity"
    return AgentName(name, begin + offset, begin + offset + len(name), kind, link)


@lru_cache(maxsize=65536)
def _reading(surface: str, gazetteer: Gazetteer) -> tuple[str, int, Link | None] | None:
    """The polity or person a list item names, its offset in `surface`, and a person's link (a polity's link
    depends on the year). Memoized: the same items recur in list after list."""
    polity = polity_core(surface, gazetteer)
    person = person_core(surface)
    if person and gazetteer.knows(person) and not any(e.type == "person" for e in gazetteer.candidates(person)):
        person = None  # "China" is no one's name
    if polity and _NAME_FOLLOWS.match(surface[surface.find(polity) + len(polity) :]) and person:
        polity = None  # "U.S. President Ronald Reagan": the state names the office; the item is a person
    if polity:
        return polity, max(surface.find(polity), 0), None
    if person:
        known = [e for e in gazetteer.candidates(person) if e.type == "person"]
        if known or gazetteer.knows(person) is False:
            by_surname = gazetteer.person_by_surname(person) if " " not in person and not known else None
            if by_surname:
                link = Link(person, "linked", by_surname)
            else:
                link = gazetteer.lookup(person, None) if known else Link(person, "unknown")
            return person, max(surface.find(person), 0), link
    return None
