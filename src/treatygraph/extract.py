"""Extraction: an ingested article in, facts with their rule, confidence and evidence out.

Rules are small named units run in order over one shared `Context` (the pipeline-of-named-components
pattern): each reads the article, may look at what earlier rules found (the subject treaty, its dates),
and emits facts. Every fact keeps the rule's name, so a wrong triple in the graph leads back to its rule.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from . import EXTRACTOR_VERSION
from .agents import LEGISLATURE_WORDS, ROLE_NOUNS, AgentName, classify, split_list
from .dates import MONTHS, DateMention, find_dates, parse_date, year_of
from .gazetteer import Gazetteer, default_gazetteer
from .names import (
    KEYWORDS,
    LANGUAGES,
    NameMention,
    clean_name,
    find_treaty_names,
    invert_heading,
    looks_like_treaty_name,
    parse_parenthetical,
)
from .sentences import Sentence, split_sentences
from .types import (
    AgentFact,
    ArticleFacts,
    DateFact,
    Evidence,
    Fact,
    InfoboxField,
    IngestedArticle,
    LineageFact,
    NameFact,
    PlaceFact,
    Provenance,
    ResolutionFact,
    TreatyRef,
    ViolationFact,
)

SUBJECT = "T0"
# "the treaty", "this pact", "it": the article's subject unless the sentence names another treaty
GENERIC_NOUNS = ("treaty", "pact", "agreement", "accord", "accords", "convention")


def anaphor_pattern(nouns: Iterable[str]) -> re.Pattern[str]:
    """ "the treaty", "this pact", "it": the subject, for the nouns its own names use (an article about a peace
    treaty that mentions "the armistice" speaks of another agreement)."""
    return _anaphor_regex("|".join(sorted(set(nouns), key=lambda noun: (-len(noun), noun))))


ANAPHOR_QUALIFIER = (
    r"(?:(?:new|present|later|current|revised|same|whole|final|bilateral|multilateral|resulting|peace)\s+)?"
)


@lru_cache(maxsize=256)
def _anaphor_regex(words: str) -> re.Pattern[str]:
    """What \\b(?:[Tt]he|[Tt]his|[Ii]ts)\\s+QUALIFIER(?:WORDS)\\b|^Its?\\b|\\bit\\b matches (longer nouns first; nouns of one
    length exclude each other, so their order does not matter), written to start with a character class so that
    it is searched for fast: the first letter, then the word boundary before it, then what may follow it."""
    noun = rf"\s+{ANAPHOR_QUALIFIER}(?:{words})\b"
    return re.compile(
        rf"[TtIi](?<!\w.)(?:(?<=[Tt])(?:he|his){noun}|(?<=[Ii])ts{noun}|(?<=I)(?<!(?s:..))ts?\b|(?<=i)t\b)"
    )


class Cue:
    """A compiled pattern with the words one of which every match of it contains as a whole word (a run of
    word characters): a text with none of them is not scanned at all (a substring test costs a few percent of
    a regex scan, and most sentences have no cue)."""

    __slots__ = ("pattern", "words")

    def __init__(self, pattern: str, words: tuple[str, ...], flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags)
        self.words = words

    def in_text(self, text: str) -> bool:
        """False only if no match is possible in `text` (case-sensitive, as the words are written)."""
        for word in self.words:
            if word in text:
                return True
        return False

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self.in_text(text) else iter(())

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.in_text(text) else None


ANAPHOR = anaphor_pattern(GENERIC_NOUNS)
_WORD_RUN = re.compile(r"\w+")
EARLIER_ANAPHOR = Cue(
    r"\b[Tt]he\s+(?:earlier|former|previous|prior|original|older)\s+(?:treaty|pact|agreement|accord|convention)\b",
    ("earlier", "former", "previous", "prior", "original", "older"),
)

Rule = Callable[["Context"], Iterable[Fact]]
RULES: list[tuple[str, Rule]] = []


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register an extraction rule under a name; rules run in registration order."""

    def register(function: Rule) -> Rule:
        RULES.append((name, function))
        return function

    return register


@dataclass
class Context:
    """What the rules share while reading one article."""

    article: IngestedArticle
    gazetteer: Gazetteer
    sentences: list[Sentence]
    rule_name: str = ""
    treaties: dict[str, TreatyRef] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=dict)  # treaty key -> its names
    facts: list[Fact] = field(default_factory=list)
    lead_index: int = 0  # index of the first prose sentence (after title lines and infobox rows)
    last_other: str | None = None  # the treaty other than the subject named last, for "the earlier treaty"
    anaphor: re.Pattern[str] = ANAPHOR
    _treaty_refs: dict[tuple[object, ...], list[tuple[int, str]]] = field(default_factory=dict)
    _name_index: dict[str, str] = field(default_factory=dict)  # name key -> treaty key
    _words: tuple[int, frozenset[str]] | None = None  # lead index, the words from the lead on (see cued())
    _word_sentences: dict[str, frozenset[int]] = field(default_factory=dict)  # see cued()
    _begins: list[int] = field(default_factory=list)  # where each sentence begins
    # (facts seen, subject ref, its year): facts are only appended, so the year holds until either changes
    _subject_year: tuple[int, TreatyRef | None, int | None] = (-1, None, None)

    @property
    def text(self) -> str:
        return self.article.text

    @property
    def subject_year(self) -> int | None:
        subject = self.treaties.get(SUBJECT)
        seen, ref, year = self._subject_year
        if seen == len(self.facts) and ref is subject:
            return year
        signed = next(
            (f for f in self.facts if isinstance(f, DateFact) and f.treaty == SUBJECT and f.kind == "signed"), None
        )
        year = year_of(signed.value) if signed else (subject.year if subject else None)
        self._subject_year = (len(self.facts), subject, year)
        return year

    def prov(self, begin: int, end: int, confidence: float) -> Provenance:
        return Provenance(self.rule_name, confidence, Evidence(begin, end, self.text[begin:end]))

    def sentence_prov(self, sentence: Sentence, confidence: float) -> Provenance:
        return self.prov(sentence.begin, sentence.end, confidence)

    def field_prov(self, item: InfoboxField, confidence: float) -> Provenance:
        """Evidence for an infobox fact: the whole "Label | value" row."""
        line_start = self.text.rfind("\n", 0, item.begin) + 1
        line_end = self.text.find("\n", item.end)
        return self.prov(line_start, item.end if line_end == -1 else max(line_end, item.end), confidence)

    # ---- treaties

    def add_treaty(self, name: str, year: int | None = None) -> str:
        """The key of the treaty with this name (a new one if the article has not named it yet)."""
        name, parenthetical_year = clean_name(name)
        year = year or parenthetical_year
        key = self.treaty_key(name)
        if key:
            if year and not self.treaties[key].year and key != SUBJECT:
                self.treaties[key] = TreatyRef(key, self.treaties[key].label, year)
            return key
        key = f"T{len(self.treaties)}"
        self.treaties[key] = TreatyRef(key, name, year)
        self.set_names(key, [name])
        return key

    def treaty_key(self, name: str) -> str | None:
        cleaned = clean_name(name)[0]
        for wanted in (_name_key(cleaned), _name_key(_place_first(cleaned))):
            if wanted in self._name_index:
                return self._name_index[wanted]
        return None

    def set_names(self, key: str, names: list[str]) -> None:
        self.names[key] = []
        for name in names:
            self.add_name(key, name)

    def add_name(self, key: str, name: str) -> bool:
        name = clean_name(name)[0]
        if not name or _name_key(name) in {_name_key(n) for n in self.names.setdefault(key, [])}:
            return False
        self.names[key].append(name)
        for form in (_name_key(name), _name_key(_place_first(name))):
            self._name_index.setdefault(form, key)  # the first treaty to take a name keeps it
        return True

    def treaty_in(self, sentence: Sentence) -> list[tuple[int, str]]:
        """Treaty references in a sentence as (offset, key): names, "the treaty" (the subject), "the earlier treaty"."""
        state = (
            sentence.begin,
            len(self.treaties),
            sum(map(len, self.names.values())),
            self.last_other,
            self.anaphor.pattern,
        )
        cached = self._treaty_refs.get(state)
        if cached is None:
            cached = self._treaty_refs[state] = self._find_treaty_refs(sentence)
        return list(cached)

    def _find_treaty_refs(self, sentence: Sentence) -> list[tuple[int, str]]:
        lo, text = sentence.begin, sentence.text
        found: list[tuple[int, str]] = []
        named_spans: list[tuple[int, int]] = []
        for mention in find_treaty_names(text):
            key = self.treaty_key(mention.name) or self._subject_like(mention)
            if key is None:
                continue
            found.append((lo + mention.begin, key))
            named_spans.append((mention.begin, mention.end))
        for offset, key, length in self._known_plain_names(text):
            if not any(b <= offset < e for b, e in named_spans):
                found.append((lo + offset, key))
                named_spans.append((offset, offset + length))
        if self.last_other:
            for match in EARLIER_ANAPHOR.finditer(text):
                found.append((lo + match.start(), self.last_other))
        if _inverted_heading(text):
            found.append((lo, SUBJECT))
        for start in _anaphors_in(self.anaphor, text):
            if not any(b <= start < e for b, e in named_spans):
                found.append((lo + start, SUBJECT))
        return sorted(found)

    def _known_plain_names(self, text: str) -> Iterator[tuple[int, str, int]]:
        """Names the article gave a treaty that carry no treaty word ("INF", "SORT", "New START")."""
        for key, names in self.names.items():
            for name in names:
                if name not in text or looks_like_treaty_name(name) or not name.isascii() or len(name) < 3:
                    continue
                for start in _standalone(name, text):
                    yield start, key, len(name)

    def _subject_like(self, mention: NameMention) -> str | None:
        """A name not seen before that is a subject name plus a common noun ("the Warsaw Pact alliance")."""
        trimmed = _TRAILING_LOWER_WORDS.sub("", mention.name)
        return SUBJECT if trimmed != mention.name and self.treaty_key(trimmed) == SUBJECT else None

    def register_named(self, sentence: Sentence, before: int) -> str | None:
        """The treaty named last before `before`, added to the article's treaties if new ("the Armistice of
        Mudanya was signed in October 1922" dates the armistice, not the subject)."""
        names = [m for m in find_treaty_names(self.text[sentence.begin : before]) if m.end <= before - sentence.begin]
        if not names:
            return None
        last = names[-1]
        gap = self.text[sentence.begin + last.end : before]
        appositive = _APPOSITIVE_GAP.fullmatch(gap)
        if not appositive and (len(gap) > 40 or _CLAUSE_GAP.search(gap)):
            return None
        key = self.treaty_key(last.name) or self._subject_like(last) or self.add_treaty(last.name, last.year)
        if key != SUBJECT:
            self.last_other = key
        return key

    def cued(self, *cues: Cue) -> list[Sentence]:
        """The prose sentences (from the lead on) in which one of the cues can match, in text order: those
        that contain a cue word the article has as a whole word (an article has few of them)."""
        if self._words is None or self._words[0] != self.lead_index:
            start = self.sentences[self.lead_index].begin if self.sentences else 0  # after a space or a line break
            self._words = (self.lead_index, frozenset(_WORD_RUN.findall(self.text, start)))
        words = self._words[1]
        found: set[int] = set()
        for cue in cues:
            for word in cue.words:
                if word in words:
                    found |= self._sentences_with(word)
        return [self.sentences[i] for i in sorted(found) if i >= self.lead_index]

    def _sentences_with(self, word: str) -> frozenset[int]:
        """Indexes of the sentences whose text contains `word`: the word is looked for in the article's text
        once, not in each sentence for each rule."""
        found = self._word_sentences.get(word)
        if found is not None:
            return found
        if not self._begins:
            self._begins = [s.begin for s in self.sentences]
        indexes = []
        at = self.text.find(word)
        while at >= 0:
            i = bisect.bisect_right(self._begins, at) - 1
            if i >= 0 and at + len(word) <= self.sentences[i].end:
                indexes.append(i)
                at = self.text.find(word, self.sentences[i].end)
            else:
                at = self.text.find(word, at + 1)
        found = self._word_sentences[word] = frozenset(indexes)
        return found

    def emit(self, fact: Fact) -> None:
        self.facts.append(fact)


@lru_cache(maxsize=16384)
def _anaphors_in(anaphor: re.Pattern[str], text: str) -> tuple[int, ...]:
    """Where "the treaty", "this pact", "it" stand in a sentence, but not "the earlier treaty"."""
    earlier = EARLIER_ANAPHOR.in_text(text)
    return tuple(
        match.start()
        for match in anaphor.finditer(text)
        if not (earlier and EARLIER_ANAPHOR.pattern.match(text, max(0, match.start() - 12)))
    )


_TRAILING_LOWER_WORDS = re.compile(r"(?:\s+[a-z]+)+$")
_APPOSITIVE_GAP = re.compile(r"\s*(?:\(\d{4}\))?\s*,\s*(?:which\s+[^,;]{0,60}?\s+(?:had\s+|have\s+)?)?")
_CLAUSE_GAP = re.compile(r"[,;]|\b(?:and|which|that|after|before)\b")
_PLACE_FIRST = re.compile(rf"({KEYWORDS})\s+of\s+([A-Z][\w'’\-–]*(?:\s+[A-Z][\w'’\-–]*)?)")
_PARENTHESES = re.compile(r"\([^)]*\)")
_NOT_WORD = re.compile(r"[^\w\s]")
_NAME_FILLERS = re.compile(r"\b(?:the|of|and)\b")


def _standalone(name: str, text: str) -> Iterator[int]:
    """Where `name` stands in `text` with no word character or hyphen on either side, left to right and not
    overlapping (what `(?<![\\w-])NAME(?![\\w-])` finds, without compiling a pattern for every name)."""
    at = text.find(name)
    while at >= 0:
        end = at + len(name)
        if (at == 0 or not _joins(text[at - 1])) and (end == len(text) or not _joins(text[end])):
            yield at
            at = text.find(name, end)
        else:
            at = text.find(name, at + 1)


def _joins(char: str) -> bool:
    """A word character (as `\\w` has it) or a hyphen."""
    return char.isalnum() or char in "_-"


@lru_cache(maxsize=65536)
def _place_first(name: str) -> str:
    """ "Treaty of Dunkirk" -> "Dunkirk treaty": articles use both forms for one treaty."""
    match = _PLACE_FIRST.fullmatch(name.strip())
    return f"{match.group(2)} {match.group(1).lower()}" if match else name


@lru_cache(maxsize=65536)
def _name_key(name: str) -> str:
    text = name.lower().replace("–", "-").replace("—", "-").replace("’", "'")
    text = _PARENTHESES.sub(" ", text)
    text = _NOT_WORD.sub(" ", text)
    text = _NAME_FILLERS.sub(" ", text)
    return " ".join(text.split())


# ================================================================ the subject treaty and its names


def _title_lines(ctx: Context) -> Iterator[Sentence]:
    """Short stand-alone lines before the lead: page titles and infobox titles in plain-text mirrors."""
    for index, sentence in enumerate(ctx.sentences[:40]):
        if index >= ctx.lead_index:
            break
        yield sentence


def _whole_name(candidate: str) -> bool:
    """A line that is one treaty name and nothing else (a title), not a sentence that contains one; a few
    lower-case words may end it ("Convention on Water rights")."""
    names = find_treaty_names(candidate)
    if len(names) != 1 or names[0].begin > 4 or len(candidate.split()) > 20 or candidate.endswith("."):
        return False
    if _MARKUP_LEFT.search(candidate) or names[0].name.split()[0].lower() == "infobox":
        return False  # markup left over from a broken page is not a title
    tail = candidate[names[0].end :]
    return not tail.strip() or bool(_LOWER_TAIL.fullmatch(tail))


_MARKUP_LEFT = re.compile(r"[{}\[\]<>|=]")
_LOWER_TAIL = re.compile(r"(?:\s+[a-z][\w'’\-]*){1,3}")
_SEE_FOR = re.compile(r"^(?:For|See)\b")
_SENTENCE_END = re.compile(r"[.!?:]['\"”’)\]]*$|\[\d+\]$")
_COPULA = re.compile(r"\b(?:is|was|are|were)\b")


def _is_prose(sentence: Sentence) -> bool:
    """A sentence of the article's prose: long enough, and ending like a sentence (a title line does not)."""
    text = sentence.text
    if len(text.split()) < 8 or _SEE_FOR.match(text):
        return False
    return bool(_SENTENCE_END.search(text) or _COPULA.search(text))


def _find_lead(ctx: Context) -> int:
    """Index of the first prose sentence that names a treaty: the lead."""
    field_rows = {f.begin for f in ctx.article.fields}
    for index, sentence in enumerate(ctx.sentences):
        if any(sentence.begin <= b < sentence.end for b in field_rows):
            continue
        if _is_prose(sentence) and (find_treaty_names(sentence.text) or _inverted_heading(sentence.text)):
            return index
    return 0


_INVERTED_HEADING = re.compile(
    r"^([A-Z][^,]{1,60}),\s+((?:Treaty|Peace|Pact|Convention|Agreement)(?:\s+of)?)\s*(?:\((\d{4})\))?"
)


@lru_cache(maxsize=8192)
def _inverted_heading(text: str) -> tuple[str, str, int | None] | None:
    """ "Sèvres, Treaty of (1920), peace pact ..." -> ("Sèvres, Treaty of", "Treaty of Sèvres", 1920)."""
    match = _INVERTED_HEADING.match(text)
    if not match:
        return None
    heading = f"{match.group(1)}, {match.group(2)}"
    proper = invert_heading(heading)
    return (heading, proper, int(match.group(3)) if match.group(3) else None) if proper else None


@rule("subject_title")
def subject_title(ctx: Context) -> Iterable[Fact]:
    """The subject treaty's name: the page title (HTML h1, infobox name), else a title line or the lead's first name."""
    ctx.lead_index = _find_lead(ctx)
    article = ctx.article
    if article.title and looks_like_treaty_name(clean_name(article.title)[0]):
        name, year = clean_name(article.title)
        ctx.treaties[SUBJECT] = TreatyRef(SUBJECT, name, year)
        ctx.set_names(SUBJECT, [name])
        begin = article.text.find(article.title)
        if begin >= 0:
            yield NameFact(SUBJECT, name, "en", ctx.prov(begin, begin + len(article.title), 0.95))
        return
    for sentence in _title_lines(ctx):
        candidate, year = clean_name(sentence.text)
        if _whole_name(candidate):
            ctx.treaties[SUBJECT] = TreatyRef(SUBJECT, candidate, year)
            ctx.set_names(SUBJECT, [candidate])
            yield NameFact(SUBJECT, candidate, "en", ctx.sentence_prov(sentence, 0.9))
            return
    if not ctx.sentences:
        return
    lead = ctx.sentences[ctx.lead_index]
    inverted = _inverted_heading(lead.text)
    if inverted:
        heading, proper, year = inverted
        ctx.treaties[SUBJECT] = TreatyRef(SUBJECT, proper, year)
        ctx.set_names(SUBJECT, [proper, heading])
        yield NameFact(SUBJECT, proper, "en", ctx.sentence_prov(lead, 0.85))
        yield NameFact(SUBJECT, heading, "en", ctx.sentence_prov(lead, 0.85))
        return
    names = find_treaty_names(lead.text)
    if names:
        name, year = clean_name(names[0].name)
        ctx.treaties[SUBJECT] = TreatyRef(SUBJECT, name, year or names[0].year)
        ctx.set_names(SUBJECT, [name])
        yield NameFact(SUBJECT, name, "en", ctx.sentence_prov(lead, 0.85))


@rule("title_line_aliases")
def title_line_aliases(ctx: Context) -> Iterable[Fact]:
    """Other stand-alone treaty-name lines before the lead (an infobox's title rendered as text) are aliases."""
    if SUBJECT not in ctx.treaties or ctx.article.fields:
        return
    for sentence in _title_lines(ctx):
        candidate, _ = clean_name(sentence.text)
        if _whole_name(candidate) and ctx.add_name(SUBJECT, candidate):
            yield NameFact(SUBJECT, candidate, "en", ctx.sentence_prov(sentence, 0.8))


@rule("infobox_names")
def infobox_names(ctx: Context) -> Iterable[Fact]:
    """Infobox rows that name the treaty: its title row, long name, and rows labelled with a language."""
    if SUBJECT not in ctx.treaties:
        return
    for item in ctx.article.fields:
        key = item.key.lower()
        lang = _language_of_label(item.label)
        if key in ("title", "name", "long_name", "official_name", "full_name") and looks_like_treaty_name(item.value):
            lang = "en"
        elif not lang:
            continue
        for value in item.value.split("\n"):
            value = value.strip()
            if value and ctx.add_name(SUBJECT, value):
                yield NameFact(SUBJECT, clean_name(value)[0], lang, ctx.field_prov(item, 0.9))


def _language_of_label(label: str) -> str | None:
    text = label.strip().lower()
    extra = {
        "kanji": "ja",
        "romanization": "ja-Latn",
        "hokkien poj": "nan-Latn-pehoeji",
        "hanyu pinyin": "zh-Latn-pinyin",
    }
    return LANGUAGES.get(text) or extra.get(text)


_ALIAS_TRIGGER = re.compile(
    r"\b(?:also\s+(?:known|called|referred\s+to)\s+as|also\s+called|sometimes\s+called|commonly\s+called|known\s+as"
    r"|referred\s+to\s+as|officially(?:\s+(?:titled|named|called|known\s+as))?|formally(?:\s+(?:titled|named|called))?"
    r"|the\s+common\s+name\s+for|short\s+for|in\s+full|or)\s+(?:the\s+|as\s+the\s+)?",
    re.I,
)


_BOLD_PARENTHESIS = re.compile(r"\s*(?:''')?\s*\(([^()]{1,400})\)")
_PARENTHESIS = re.compile(r"\s*\(([^()]{1,400})\)")
_ALIAS_JOINER = re.compile(r"(?:\[\w+\])*\s*(?:,|and|or|,\s*and|,\s*or)\s+(?:the\s+)?")
_SEE_BEFORE = re.compile(r"\bsee\s+(?:also\s+)?$")


@rule("lead_aliases")
def lead_aliases(ctx: Context) -> Iterable[Fact]:
    """Names in the lead: a parenthesis after the subject's name ("(French: Traité de ...)"), and names after
    "officially", "also called", "also known as", "... for short", "the common name for"."""
    if SUBJECT not in ctx.treaties or not ctx.sentences:
        return
    for sentence in ctx.sentences[ctx.lead_index : ctx.lead_index + 4]:
        if not ctx.treaty_in(sentence) or SUBJECT not in {k for _, k in ctx.treaty_in(sentence)}:
            continue
        yield from _parenthetical_names(ctx, sentence)
        yield from _triggered_aliases(ctx, sentence)


def _parenthetical_names(ctx: Context, sentence: Sentence) -> Iterator[Fact]:
    text = sentence.text
    subject_names = [_name_key(n) for n in ctx.names[SUBJECT]]
    for mention in find_treaty_names(text):
        if _name_key(mention.name) not in subject_names and not mention.name.startswith(ctx.names[SUBJECT][0]):
            continue
        opening = _BOLD_PARENTHESIS.match(text, mention.end)
        if not opening:
            continue
        for foreign in parse_parenthetical(opening.group(1)):
            if foreign.name and ctx.add_name(SUBJECT, foreign.name):
                yield NameFact(SUBJECT, foreign.name, foreign.lang, ctx.sentence_prov(sentence, 0.85))


def _triggered_aliases(ctx: Context, sentence: Sentence) -> Iterator[Fact]:
    text = sentence.text
    names = find_treaty_names(text)
    for trigger in _ALIAS_TRIGGER.finditer(text):
        following = [m for m in names if trigger.end() <= m.begin <= trigger.end() + 2]
        if not following:
            continue
        chain = [following[0]]
        for mention in names:  # "referred to as the A and the B"
            gap = text[chain[-1].end : mention.begin]
            if mention.begin > chain[-1].end and _ALIAS_JOINER.fullmatch(gap):
                chain.append(mention)
        for mention in chain:
            if _is_other_treaty(ctx, mention, text):
                continue
            if ctx.add_name(SUBJECT, mention.name):
                yield NameFact(SUBJECT, clean_name(mention.name)[0], "en", ctx.sentence_prov(sentence, 0.8))
            yield from _parenthetical_after(ctx, sentence, mention)


def _is_other_treaty(ctx: Context, mention: NameMention, text: str) -> bool:
    """ "... for the Weimar-era pact, see Treaty of Berlin": a hatnote pointing elsewhere names another treaty."""
    return bool(_SEE_BEFORE.search(text, 0, mention.begin))


def _parenthetical_after(ctx: Context, sentence: Sentence, mention: NameMention) -> Iterator[Fact]:
    opening = _PARENTHESIS.match(sentence.text, mention.end)
    if opening:
        for foreign in parse_parenthetical(opening.group(1)):
            if ctx.add_name(SUBJECT, foreign.name):
                yield NameFact(SUBJECT, foreign.name, foreign.lang, ctx.sentence_prov(sentence, 0.8))


_LATIN_WORD = re.compile(r"[A-Za-z]+")
_ANY_CASE_KEYWORD = re.compile(KEYWORDS, re.I)
_STATED_KIND = re.compile(
    r"\b(?:is|was)\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}?(peace treaty|non-aggression pact|alliance|convention|declaration|memorandum)\b"
)
_A_KEYWORD = re.compile(rf"\b(?:a|an)\s+(?:[\w-]+\s+){{0,2}}?({KEYWORDS.lower()})\b")


@rule("subject_kind")
def subject_kind(ctx: Context) -> Iterable[Fact]:
    """What the subject is ("was a non-aggression pact", "is a peace treaty"), and so which anaphors
    ("the pact", "the declaration") point to it; an inverted heading's year ("Sèvres, Treaty of (1920)")."""
    if SUBJECT not in ctx.treaties:
        return
    nouns = set(GENERIC_NOUNS)
    for name in ctx.names[SUBJECT]:
        nouns.update(w.lower() for w in _LATIN_WORD.findall(name) if _ANY_CASE_KEYWORD.fullmatch(w))
    ref = ctx.treaties[SUBJECT]
    lead = ctx.sentences[ctx.lead_index].text if ctx.sentences else ""
    stated = _STATED_KIND.search(lead)
    kind = stated.group(1) if stated else ref.kind
    if kind:
        nouns.add(kind.split()[-1])
    nouns.update(m.group(1) for m in _A_KEYWORD.finditer(lead))
    inverted = _inverted_heading(lead)
    year = ref.year or (
        inverted[2] if inverted and _name_key(inverted[1]) in map(_name_key, ctx.names[SUBJECT]) else None
    )
    if inverted and ctx.add_name(SUBJECT, inverted[0]):
        yield NameFact(SUBJECT, inverted[0], "en", ctx.sentence_prov(ctx.sentences[ctx.lead_index], 0.8))
    ctx.treaties[SUBJECT] = TreatyRef(SUBJECT, ref.label, year, kind)
    ctx.anaphor = anaphor_pattern(nouns)


# ================================================================ dates


DATE_FIELDS = {
    "signed": ("date_signed", "signed", "signing", "date_of_signing", "signed_date"),
    "effective": ("date_effective", "effective", "in_force", "entry_into_force", "date_in_force", "entered_into_force"),
    "ended": (
        "date_expiration",
        "date_expiry",
        "expiration",
        "expiry",
        "expired",
        "date_terminated",
        "terminated",
        "termination",
        "dissolved",
        "date_dissolved",
    ),
}
ENDING_OF_FIELD = {"terminated": "terminated", "termination": "terminated", "dissolved": "terminated"}


def _field_kind(item: InfoboxField) -> str | None:
    key = item.key.lower()
    label = item.label.strip().lower().replace(" ", "_")
    for kind, keys in DATE_FIELDS.items():
        if key in keys or label in keys:
            return kind
    return None


_PLANNED = re.compile(r"\bplanned\b|\bscheduled\b", re.I)
_SUCCESSOR_IN_ROW = re.compile(r"\b(?:superseded|replaced)\s+by\s+(?:the\s+)?([A-Z][^()\n;,]{2,80}?)\s*(?:\)|$|;|,)")


@rule("infobox_dates")
def infobox_dates(ctx: Context) -> Iterable[Fact]:
    """Signed / effective / expired rows of an infobox."""
    if SUBJECT not in ctx.treaties:
        return
    for item in ctx.article.fields:
        kind = _field_kind(item)
        value = parse_date(item.value) if kind else None
        if not kind or not value:
            continue
        how = _ending_how(item.key.lower(), item.value) if kind == "ended" else None
        if kind == "ended" and _PLANNED.search(item.value):
            continue
        yield DateFact(SUBJECT, kind, value, ctx.field_prov(item, 0.95), how)  # type: ignore[arg-type]
        successor = _SUCCESSOR_IN_ROW.search(item.value)
        if kind == "ended" and successor:
            later = ctx.add_treaty(successor.group(1).strip())
            if later != SUBJECT:
                yield LineageFact(later, "supersedes", SUBJECT, ctx.field_prov(item, 0.85))


def _ending_how(key: str, value: str) -> str:
    for word, how in (
        ("terminat", "terminated"),
        ("denounc", "denounced"),
        ("withdr", "withdrawn"),
        ("supersed", "superseded"),
        ("replaced", "superseded"),
        ("annul", "annulled"),
        ("null and void", "annulled"),
        ("dissol", "terminated"),
        ("disband", "terminated"),
    ):
        if word in value.lower() or word in key:
            return how
    return ENDING_OF_FIELD.get(key, "expired")


_TEXT_ROW = re.compile(
    r"^(?P<label>Signed|Effective|Expiry|Expiration|Expired|Terminated|Dissolved|Entered into force|In force)\s*[:|]?\s+(?P<value>.+)$",
    re.I,
)


@rule("text_infobox_dates")
def text_infobox_dates(ctx: Context) -> Iterable[Fact]:
    """Plain-text mirrors render infobox rows as lines: "Signed 14 August 1945 (1945-08-14)", "Expiry ..."."""
    if SUBJECT not in ctx.treaties or ctx.article.fields:
        return
    for sentence in ctx.sentences[: ctx.lead_index + 1]:
        row = _TEXT_ROW.match(sentence.text)
        value = parse_date(row.group("value")) if row else None
        if not row or not value:
            continue
        label = row.group("label").lower()
        kind = (
            "signed"
            if label == "signed"
            else "effective"
            if label in ("effective", "entered into force", "in force")
            else "ended"
        )
        how = _ending_how(label, row.group("value")) if kind == "ended" else None
        yield DateFact(SUBJECT, kind, value, ctx.sentence_prov(sentence, 0.9), how)  # type: ignore[arg-type]


_TEXT_AGENT_ROW = re.compile(r"^(?P<label>Parties|Signatories|Signers|Original signatories)\s*[:|]?\s+(?P<value>\S.+)$")
_TEXT_PLACE_ROW = re.compile(r"^(?:Location|Place signed|Signed at)\s*[:|]?\s+(?P<value>\S.+)$")


@rule("text_infobox_rows")
def text_infobox_rows(ctx: Context) -> Iterable[Fact]:
    """Plain-text mirrors render infobox rows as lines: "Parties Kingdom of France; Spanish Empire",
    "Signatories: A; B", "Location Copenhagen"."""
    if SUBJECT not in ctx.treaties or ctx.article.fields:
        return
    for sentence in ctx.sentences[: ctx.lead_index]:
        agents_row = _TEXT_AGENT_ROW.match(sentence.text)
        place_row = _TEXT_PLACE_ROW.match(sentence.text)
        if agents_row:
            start = sentence.begin + agents_row.start("value")
            value = agents_row.group("value").replace(";", ",")
            found = _without_coalitions(_agents(ctx, _blank_parentheses(value), start))
            parties_only = agents_row.group("label") == "Parties"
            yield from _emit_agents(
                ctx, SUBJECT, [a for a in found if not (parties_only and a.kind == "person")], sentence, 0.85
            )
        elif place_row and not find_dates(place_row.group("value")):
            yield PlaceFact(SUBJECT, place_row.group("value").strip(), ctx.sentence_prov(sentence, 0.85))


_STATUS_LINE = re.compile(r"\((terminated|expired|dissolved|denounced|abrogated)\)", re.I)


@rule("text_infobox_status_dates")
def text_infobox_status_dates(ctx: Context) -> Iterable[Fact]:
    """A bare date line followed by "(terminated)" or "(expired)": an infobox's end row in a plain-text mirror."""
    if SUBJECT not in ctx.treaties or ctx.article.fields:
        return
    head = ctx.sentences[: ctx.lead_index + 40]
    for current, following in zip(head, head[1:], strict=False):
        status = _STATUS_LINE.fullmatch(following.text.strip())
        dates = find_dates(current.text) if status else None
        if status and dates and dates[0].begin == 0 and _only_date(current.text):
            begin, end = current.begin, following.end
            yield DateFact(
                SUBJECT, "ended", dates[0].iso, ctx.prov(begin, end, 0.8), _ending_how(status.group(1).lower(), "")
            )


def _only_date(text: str) -> bool:
    stripped = text
    for mention in reversed(find_dates(text)):
        stripped = stripped[: mention.begin] + stripped[mention.end :]
    return not _DATE_PUNCTUATION.sub("", stripped)


_DATE_PUNCTUATION = re.compile(r"[\s()\-–,]")


SIGN_VERB = Cue(r"\b(?:signed|concluded|sealed)\b", ("signed", "concluded", "sealed"))
FORCE_VERB = Cue(
    r"\b(?:came|come|comes|entered|enter|enters|went|go|goes)\s+into\s+(?:force|effect)\b|\btook\s+effect\b|\bbecame\s+effective\b",
    ("force", "effect", "effective"),
)
END_VERB = Cue(
    r"\b(?:expired|expiration|expiry|lapsed|was\s+terminated|were\s+terminated|been\s+terminated|was\s+abrogated|was\s+denounced"
    r"|was\s+disbanded|was\s+dissolved|been\s+dissolved|declared\s+null\s+and\s+void|was\s+annulled|ceased\s+to\s+be\s+in\s+force)\b",
    ("expired", "expiration", "expiry", "lapsed", "terminated", "abrogated", "denounced", "disbanded", "dissolved")
    + ("null", "annulled", "ceased"),
)
_RATIFICATION_STOP = re.compile(r"\b(?:ratified|ratification|and\s+(?:came|entered|was\s+ratified))\b|;")
_OPENING_TIME = re.compile(r"(?:On|In|By)\s+")
_IN_ON = re.compile(r"\b(?:in|on)\s+")
_CLAUSE_BREAK = re.compile(r",\s|;|\band\b|\bits\s+\w+\s")
_NEGATION = re.compile(
    r"\b(?:not|never|refused\s+to|refusing\s+to|failed\s+to|planned\s+to|was\s+to\s+be|would\s+be)\s+(?:\w+\s+){0,2}$"
)


def _owner(ctx: Context, sentence: Sentence, verb_at: int) -> str | None:
    """The treaty a verb at `verb_at` speaks of: the nearest treaty reference before it in the sentence
    (None when there is none: "the armistice signed in 1918 ended the fighting; it took ..." is not the subject)."""
    before = [key for offset, key in ctx.treaty_in(sentence) if offset < verb_at]
    return before[-1] if before else None


def _date_after(
    ctx: Context, sentence: Sentence, at: int, window: int = 120, stop_at_ratification: bool = True
) -> DateMention | None:
    """The first date after a verb, within its clause (a signing date is not the later ratification's date)."""
    clause = ctx.text[at : min(sentence.end, at + window)]
    stop = _RATIFICATION_STOP.search(clause) if stop_at_ratification else None
    if stop:
        clause = clause[: stop.start()]
    dates = find_dates(clause)
    if not dates:
        return None
    first = dates[0]
    return DateMention(first.begin + at, first.end + at, first.iso)


def _date_before(ctx: Context, sentence: Sentence, at: int) -> DateMention | None:
    """ "On 24 February 1953, the Legislative Yuan voted ...", "... and in 1991 the alliance was disbanded":
    a date that opens the sentence or the clause of the verb."""
    opening = _OPENING_TIME.match(sentence.text)
    if not opening:
        clause_start = max(
            ctx.text.rfind(",", sentence.begin, at), ctx.text.rfind(" and ", sentence.begin, at), sentence.begin
        )
        clause = ctx.text[clause_start:at]
        lead_in = _IN_ON.search(clause)
        dates = find_dates(clause)
        if not lead_in or not dates or dates[0].begin != lead_in.end():
            return None
        return DateMention(dates[0].begin + clause_start, dates[0].end + clause_start, dates[0].iso)
    dates = [d for d in find_dates(ctx.text[sentence.begin : at]) if d.begin <= opening.end() + 2]
    if not dates:
        return None
    return DateMention(dates[0].begin + sentence.begin, dates[0].end + sentence.begin, dates[0].iso)


@rule("prose_signed")
def prose_signed(ctx: Context) -> Iterable[Fact]:
    """ "... was signed (at PLACE) on DATE", "On DATE ... signed the treaty": the date of the treaty signed."""
    yield from _prose_dates(ctx, SIGN_VERB, "signed", None)


@rule("prose_effective")
def prose_effective(ctx: Context) -> Iterable[Fact]:
    """ "came into force on DATE", "entered into force", "took effect"."""
    yield from _prose_dates(ctx, FORCE_VERB, "effective", None)


@rule("prose_ended")
def prose_ended(ctx: Context) -> Iterable[Fact]:
    """ "expired in 1979", "was terminated on", "the alliance was disbanded in 1991", "declared null and void"."""
    yield from _prose_dates(ctx, END_VERB, "ended", "verb")


def _prose_dates(ctx: Context, verb: Cue, kind: str, how: str | None) -> Iterator[Fact]:
    for sentence in ctx.cued(verb):
        dated: set[str] = set()
        for match in verb.pattern.finditer(ctx.text, sentence.begin, sentence.end):
            owner = ctx.register_named(sentence, match.start()) or _owner(ctx, sentence, match.start())
            if kind == "signed" and owner is None:
                # "X and Y signed it on ...": the signing, unless the treaty already has its date (then a
                # later signatory's signature, as in "They both signed the treaty in 2009")
                signed_object = _object_treaty(ctx, sentence, match.end())
                owner = signed_object if signed_object and not _known_date(ctx, signed_object, "signed") else None
            if (
                owner is None
                or _negated(ctx.text[sentence.begin : match.start()])
                or not _adjacent(ctx, sentence, owner, match, kind)
            ):
                continue
            window = (
                200 if kind == "signed" else 120
            )  # "concluded between A and B on one side and C ... on 14 January 1814"
            date = _date_after(ctx, sentence, match.end(), window) or _date_before(ctx, sentence, match.start())
            if date is None:
                continue
            ending = _ending_how(match.group(0).lower(), "") if how else None
            confidence = 0.85 if owner == SUBJECT else 0.75
            if owner in dated:
                continue  # one date per treaty and sentence: the first verb's
            dated.add(owner)
            yield DateFact(owner, kind, date.iso, ctx.sentence_prov(sentence, confidence), ending)  # type: ignore[arg-type]


def _known_date(ctx: Context, treaty: str, kind: str) -> bool:
    return any(isinstance(f, DateFact) and f.treaty == treaty and f.kind == kind for f in ctx.facts)


def _adjacent(ctx: Context, sentence: Sentence, owner: str, verb: re.Match[str], kind: str) -> bool:
    """Coming into force and ending need the treaty as the verb's own subject ("the treaty entered into force",
    not "its withdrawal became effective"): no clause break between the reference and the verb."""
    if kind == "signed":
        return True
    before = [offset for offset, key in ctx.treaty_in(sentence) if key == owner and offset < verb.start()]
    if not before:
        return True  # named by register_named right before the verb
    gap = ctx.text[before[-1] : verb.start()]
    return len(gap) <= 60 and not _CLAUSE_BREAK.search(gap[3:])


def _negated(prefix: str) -> bool:
    return bool(_NEGATION.search(prefix))


# ================================================================ place


@rule("infobox_place")
def infobox_place(ctx: Context) -> Iterable[Fact]:
    if SUBJECT not in ctx.treaties:
        return
    for item in ctx.article.fields:
        if item.key.lower() in ("location_signed", "location", "signed_at", "place_signed", "place"):
            place = _REMARK.sub("", item.value.split("\n")[0]).strip(" ,;")
            if place:
                yield PlaceFact(SUBJECT, place, ctx.field_prov(item, 0.9))
            return


_REMARK = re.compile(r"\s*\([^)]*\)")
_PLACE = Cue(
    r"\bsigned\s+(?:\w+\s+){0,3}?(?:in|at)\s+(?:the\s+)?(?P<place>[A-Z][\w'’\-–.]*(?:(?:\s+|,\s+)(?:[A-Z][\w'’\-–.]*|de|of|the))*)",
    ("signed",),
)


@rule("prose_place")
def prose_place(ctx: Context) -> Iterable[Fact]:
    """ "signed in Moscow on 23 August 1939", "signed at Warsaw, Poland, on May 14, 1955"."""
    if SUBJECT not in ctx.treaties or any(isinstance(f, PlaceFact) for f in ctx.facts):
        return
    for sentence in ctx.cued(_PLACE):
        for match in _PLACE.pattern.finditer(sentence.text):
            owner = _owner(ctx, sentence, sentence.begin + match.start())
            place = match.group("place").rstrip(" ,.")
            if owner != SUBJECT or find_dates(place) or not place or place.split()[0].lower() in MONTHS:
                continue  # "signed in October 1648": a date, not a place
            yield PlaceFact(SUBJECT, place, ctx.sentence_prov(sentence, 0.75))
            return


# ================================================================ parties and signers

_BRACKET_OR_QUOTE = re.compile(r"[()\[\]\"“”]")
_WORD_CHAR = re.compile(r"\w")
_CAPITALISED_WORD = re.compile(r"(?:^|\s)[A-Z]")
_DETERMINER = re.compile(r"(?:the|a|an|his|her|their|its)\s")
_COALITION_MEMBERS = re.compile(
    r"\b(?:the\s+)?(?:[A-Z][\w'’\-]*\s+)*?(?:Powers|Allies|Entente|Alliance|Axis|Coalition)\s*\(([^()]+)\)"
)
_LIST_STOP = re.compile(
    r"\s+(?:on|in|at|during|after|before|to|that|which|who|whose|under|following|because|since|until|for\s+(?:the|a|an)\b|with\b|was|were|is|are|had|has|signed|ratified)(?![\w-])"
    r"|(?<![\s.][A-Z])\.\s|:\s|[.:]$|\[\d+\]"
)


def _agents(ctx: Context, text: str, offset: int, strict: bool = False) -> list[AgentName]:
    """Classified names of a list, with coalitions replaced by the members listed in their parenthesis.

    A one-word "person" ("Sèvres", "Friendship") is kept only when the gazetteer knows it, a title stood
    before it ("Admiral Lord Gambier"), or a full personal name stands in the same list ("Keying, Yilibu, and
    Niu Jian"). With `strict`, the whole text must be a list of names: one item that is neither a name nor a
    plain description ("the lawyer ...") voids the list, so a clause is never mistaken for one."""
    found = _agents_in(text, strict, ctx.gazetteer, ctx.subject_year)
    if not offset:
        return list(found)
    return [AgentName(a.surface, a.begin + offset, a.end + offset, a.kind, a.link) for a in found]


@lru_cache(maxsize=16384)
def _agents_in(text: str, strict: bool, gazetteer: Gazetteer, year: int | None) -> tuple[AgentName, ...]:
    """_agents at offset 0: a pure function of the text, the gazetteer and the year, and the same lists
    (an infobox's "Kingdom of Portugal") recur from article to article."""
    text, _ = _expand_coalitions(text, 0)
    if strict and (_BRACKET_OR_QUOTE.search(text) or find_treaty_names(text)):
        return ()
    agents = []
    known = [(b, e) for b, e, _ in gazetteer.find_in(text)]
    for begin, end in split_list(text, keep=known):
        item = text[begin:end]
        agent = classify(item, begin, gazetteer, year)
        if agent and strict and _WORD_CHAR.search(text, agent.end, end):
            return ()  # "brought NATO into existence": a name inside a phrase, not a list of names
        if agent:
            agents.append((agent, item))
        elif strict and _CAPITALISED_WORD.search(item) and not _describes_a_role(item):
            return ()
    full_names = any(a.kind == "person" and " " in a.surface for a, _ in agents)
    return tuple(a for a, item in agents if a.kind != "person" or _certain_person(a, item, full_names))


def _describes_a_role(item: str) -> bool:
    """ "the Polish envoy in Berlin", "the minister of welfare": an appositive describing a signer, not a name."""
    return bool(_DETERMINER.match(item)) or any(w.lower() in ROLE_NOUNS for w in item.split())


def _certain_person(agent: AgentName, item: str, full_names: bool) -> bool:
    if " " in agent.surface or full_names or agent.link.entry is not None:
        return True
    return item.strip() != agent.surface  # a title or role stood before the name


def _expand_coalitions(text: str, offset: int) -> tuple[str, int]:
    """ "the Central Powers (Germany, Austria-Hungary, ...)": the members are the parties, not the coalition."""
    if "(" not in text:
        return text, offset
    for match in _COALITION_MEMBERS.finditer(text):
        # blank the coalition's name and brackets, keep its members, so offsets still point into the text
        text = (
            text[: match.start()]
            + ", "
            + " " * (match.start(1) - match.start() - 2)
            + match.group(1)
            + " " * (match.end() - match.end(1))
            + text[match.end() :]
        )
    return text, offset


def _list_span(text: str) -> str:
    """The list at the start of `text`, up to where the clause moves on ("... and Italy, that ended", "on 5 May")."""
    stop = _LIST_STOP.search(text)
    return text[: stop.start()] if stop else text


def _emit_agents(
    ctx: Context, treaty: str, agents: list[AgentName], sentence: Sentence, confidence: float
) -> Iterator[Fact]:
    for agent in agents:
        if agent.kind == "organ":
            continue
        role = "signer" if agent.kind == "person" else "party"
        entity = agent.link.entry.qid if agent.link.entry else None
        yield AgentFact(treaty, role, agent.surface, ctx.sentence_prov(sentence, confidence), entity)  # type: ignore[arg-type]


@rule("infobox_parties")
def infobox_parties(ctx: Context) -> Iterable[Fact]:
    """Parties and Signatories rows: states become parties, persons signers."""
    if SUBJECT not in ctx.treaties:
        return
    for item in ctx.article.fields:
        key = item.key.lower()
        if key not in ("parties", "signatories", "original_signatories", "signatory", "party", "members", "signers"):
            continue
        agents = [
            a
            for start, line in _lines(item.value, item.begin)
            for a in _agents(ctx, _name_before_title(_blank_parentheses(line)), start)
            if not (key in ("parties", "party", "members") and a.kind == "person")
        ]
        for agent in _without_coalitions(agents):
            if agent.kind == "organ":
                continue
            role = "signer" if agent.kind == "person" else "party"
            entity = agent.link.entry.qid if agent.link.entry else None
            yield AgentFact(SUBJECT, role, agent.surface, ctx.field_prov(item, 0.9), entity)  # type: ignore[arg-type]


def _blank_parentheses(line: str) -> str:
    """ "33 (all states of Latin America)": the remark is not a list item (blanked, so offsets still hold)."""
    return _INNER_PARENTHESES.sub(_blanked, line) if "(" in line else line


_INNER_PARENTHESES = re.compile(r"\([^()]*\)")


def _blanked(match: re.Match[str]) -> str:
    return " " * len(match.group())


COALITION = re.compile(r"\b(?:Powers|Allies|Entente|Axis|Coalition|Bloc)\b")


def _without_coalitions(agents: list[AgentName]) -> list[AgentName]:
    """A coalition ("Allied Powers") is a party only where no member is named beside it."""
    members = [a for a in agents if a.kind == "polity" and not COALITION.search(a.surface)]
    return [a for a in agents if not (members and COALITION.search(a.surface))]


def _name_before_title(line: str) -> str:
    """ "Zhao Ziyang, Premier of the State Council" -> "Zhao Ziyang"."""
    head, _, rest = line.partition(", ")
    if rest and _OFFICE.match(rest):
        return head
    return line


_OFFICE = re.compile(
    r"(?:[A-Z][a-z]+\s+)?(?:Premier|President|Prime|Minister|Foreign|Secretary|Chancellor|King|Queen|Emperor|Ambassador|Chairman|General)\b"
)
_RATIFIED_BY = re.compile(r"(?:Ratification|Ratified)\s+by\s+(?:the\s+)?")
_AND_BY_OR_STOP = re.compile(r"\s+and\s+by\b|\.")
_LINE = re.compile(r"[^\n]+")


@rule("infobox_ratifiers")
def infobox_ratifiers(ctx: Context) -> Iterable[Fact]:
    """ "Condition | Ratification by Belgium, Canada, ... and by a majority of ...": the ratifying states are parties."""
    if SUBJECT not in ctx.treaties:
        return
    for item in ctx.article.fields:
        match = _RATIFIED_BY.match(item.value)
        if item.key.lower() not in ("condition", "condition_effective", "ratifiers") or not match:
            continue
        span = _AND_BY_OR_STOP.split(item.value[match.end() :])[0]
        agents = [
            a
            for a in _agents(ctx, span, item.begin + match.end())
            if a.kind == "polity" and not COALITION.search(a.surface)
        ]
        for agent in agents:
            entity = agent.link.entry.qid if agent.link.entry else None
            yield AgentFact(SUBJECT, "party", agent.surface, ctx.field_prov(item, 0.75), entity)


def _lines(value: str, begin: int) -> Iterator[tuple[int, str]]:
    for match in _LINE.finditer(value):
        yield begin + match.start(), match.group()


_SIGNED_BY = Cue(
    r"\b(?:signed|concluded|agreed|ratified|negotiated\s+and\s+signed)\s+(?:[^.;]{0,80}?\s)?by\s+(?:the\s+)?",
    ("by",),
)
_BETWEEN = Cue(
    r"\b(?:treaty|pact|agreement|accord|convention|alliance|signed|concluded|relations|peace|conflict|war|settlement|declaration"
    r"|protocol|armistice|truce|agreed)\b(?:[^.;]{0,140}?)\bbetween\s+(?:the\s+)?",
    ("between",),
)
_WHO_SIGNED = Cue(
    r"\b(?:bears|bore|carries|carried)\s+the\s+signatures?\s+of\s+|\b(?:[Dd]elegates|[Rr]epresentatives|[Pp]lenipotentiaries|[Ee]nvoys|[Ss]ignatories|[Tt]hose|[Tt]he\s+men|[Tt]he\s+people)\s+who\s+signed\b[^.]*?\bwere\s+",
    ("signature", "signatures", "signed"),
)
_NOT_THE_SIGNER = re.compile(r"\b(?:but|which|who|whom|while|although)\b|\b\w+ed\b")
_COUNTED_LIST = re.compile(
    r"(?:\w+\s+){0,3}(?:states|nations|countries|powers|governments|parties)\b[^.;]{0,20}?\b(?:among\s+them|including|namely|notably)\s+(?:the\s+)?"
)
_FOR_A_STATE = re.compile(r"^[^.;]*?\s(?:for|on\s+behalf\s+of)\s+(?:the\s+)?[A-Z]")
_DELEGATES_OF = re.compile(
    r"(?:the\s+)?(?:representatives|delegates|envoys|plenipotentiaries|delegations|governments)\s+of\b"
)
_AND_BY = re.compile(r",?\s+and\s+by\s+")
_DASHED_LIST = re.compile(r"([^—.;]{0,80})—([^.;]+)")
_TALKS_BEFORE = re.compile(r"\b(?:negotiations|talks|disagreements?|differences|war|trade|co-?operation)\b[^.]{0,30}$")
_BETWEEN_CHUNK = re.compile(r"[^.;]*?\([^()]*\)|[^.;(]*")
_BETWEEN_STOP = re.compile(
    r"\s+(?:on|in|at|during|after|before|to|that|which|who|under|following|because|since|until|with|was|were|is|are|had|has|signed|ratified)\b|,\s+(?:that|which|who|whose|signed|on|in)\b|\[\d+\]"
)


@rule("prose_signed_by")
def prose_signed_by(ctx: Context) -> Iterable[Fact]:
    """ "The agreement was signed by Germany, France, Britain, and Italy" (parties) or "by Foreign Minister X" (signers)."""
    for sentence in ctx.cued(_SIGNED_BY):
        for match in _SIGNED_BY.pattern.finditer(sentence.text):
            if _NOT_THE_SIGNER.search(match.group(0)[len(match.group(0).split()[0]) :]):
                continue  # "signed in 1920, but later rejected by X": X did not sign
            owner = _owner(ctx, sentence, sentence.begin + match.start())
            if owner is None or _negated(sentence.text[: match.start()]) or "ratified" in match.group(0):
                continue
            rest = sentence.text[match.end() :]
            counted = _COUNTED_LIST.match(rest)
            if counted:
                rest = rest[counted.end() :]
            if _FOR_A_STATE.search(rest) and owner:
                # "signed by X for the Spanish Empire and Y for Norway": signers and the states they signed for
                yield from _for_lists(ctx, sentence, len(sentence.text) - len(rest), owner)
                continue
            span = _list_with_dash(rest)
            agents = _without_coalitions(_agents(ctx, span, sentence.begin + len(sentence.text) - len(rest)))
            if _DELEGATES_OF.match(span):
                # "signed by the representatives of Germany and Japan": the states are parties; "of Sultan X":
                # the signers are not named; "..., and by Napoleon": a signer named after them still counts
                named_after = _AND_BY.search(span)
                cut = (
                    sentence.begin
                    + len(sentence.text)
                    - len(rest)
                    + (named_after.start() if named_after else len(span))
                )
                agents = [a for a in agents if a.kind == "polity" or a.begin >= cut]
            yield from _emit_agents(ctx, owner, agents, sentence, 0.85)


def _list_with_dash(text: str) -> str:
    """ "the Soviet Union and its seven East European satellites—Poland, ..., and East Germany"."""
    dash = _DASHED_LIST.match(text)
    if dash:
        return dash.group(1) + ", " + _list_span(dash.group(2))
    return _list_span(text)


@rule("prose_between")
def prose_between(ctx: Context) -> Iterable[Fact]:
    """ "a non-aggression pact between Nazi Germany and the Soviet Union", "signed ... between A and B"."""
    for sentence in ctx.cued(_BETWEEN):
        match = _BETWEEN.pattern.search(sentence.text)
        if not match:
            continue
        owner = _owner(ctx, sentence, sentence.begin + match.start())
        if owner is None or _negotiation_only(sentence.text[: match.end()]):
            continue
        span = _between_span(sentence.text[match.end() :])
        agents = [a for a in _agents(ctx, span, sentence.begin + match.end()) if a.kind == "polity"]
        if len(agents) >= 2:
            yield from _emit_agents(ctx, owner, agents, sentence, 0.8)


def _negotiation_only(prefix: str) -> bool:
    """Talks between A and B are not a treaty between them."""
    return bool(_TALKS_BEFORE.search(prefix[-50:]))


def _between_span(text: str) -> str:
    """ "A and B" after "between", including a parenthesised member list and an "Allied A, B, and C" list."""
    span = _BETWEEN_CHUNK.match(text)
    chunk = span.group(0) if span else text
    stop = _BETWEEN_STOP.search(chunk)
    return chunk[: stop.start()] if stop else chunk


_SIGNED_VERB = Cue(
    r"\b(?:had\s+|have\s+|has\s+|jointly\s+|eventually\s+|later\s+|then\s+|also\s+)?(?:signed|put\s+(?:his|her|their)\s+names?\s+to)\b",
    ("signed", "put"),
)
_FOR_IN_AT = re.compile(r"\s+(?:for|on\s+behalf|in|at|on)\b")
_FOR_WITH_STATE = re.compile(r"\s+(?:for|on\s+behalf\s+of|with)\s+(?:the\s+)?[A-Z]")
_OBJECT_FOLLOWS = re.compile(r"\s+(?:it|the|this|[A-Z])")
_THEY_BEFORE = re.compile(r"(?:^|\s)(?:They|they|Both)(?:\s+both)?\s*$")
_SIGNED_IT_COLON = re.compile(r"\s+(?:it|the\s+\w+)\s*:\s*")
_WITH = re.compile(r"\s+with\s+(?:the\s+)?")
_FOR_CAPITAL = re.compile(r"\s+for\s+[A-Z]")


@rule("prose_subjects_signed")
def prose_subjects_signed(ctx: Context) -> Iterable[Fact]:
    """Who signed, written before the verb: "Nixon and Brezhnev signed it in Moscow", "Adams, Franklin and Jay
    signed for the United States", "which the United Kingdom and Germany had signed", "Kellogg signed for the
    United States and Briand for France", "Three commissioners signed it: A, B and C"."""
    for sentence in ctx.cued(_SIGNED_VERB, _WHO_SIGNED):
        text = sentence.text
        for verb in _SIGNED_VERB.finditer(text):
            after = text[verb.end() :]
            owner = (
                _object_treaty(ctx, sentence, sentence.begin + verb.end())
                or ctx.register_named(sentence, sentence.begin + verb.start() - 1)
                or (_owner(ctx, sentence, sentence.begin + verb.start()) if _FOR_IN_AT.match(after) else None)
                or (SUBJECT if _FOR_WITH_STATE.match(after) and _only_subject(ctx, sentence) else None)
            )
            if owner is None or _negated(text[: verb.start()]):
                continue
            subject_text, subject_at = _clause_subject(text, verb.start())
            if text[: verb.start()].rstrip().endswith(",") and not _OBJECT_FOLLOWS.match(after):
                subject_text = ""  # ", signed in Washington": a participle, with no subject of its own
            agents = [
                a for a in _agents(ctx, subject_text, sentence.begin + subject_at, strict=True) if a.kind != "organ"
            ]
            if _THEY_BEFORE.search(text[: verb.start()]):
                agents = _previous_polities(ctx, sentence)
            colon = _SIGNED_IT_COLON.match(after)
            if colon:  # "signed it: A, B and C"
                start = verb.end() + colon.end()
                agents = [
                    a for a in _agents(ctx, _list_span(text[start:]), sentence.begin + start) if a.kind == "person"
                ]
            with_list = _WITH.match(after)
            if with_list:  # "X signed with A, B and C" (persons: co-signers; a state: the other party)
                start = verb.end() + with_list.end()
                agents += [
                    a for a in _agents(ctx, _list_span(text[start:]), sentence.begin + start) if a.kind != "organ"
                ]
            yield from _emit_agents(ctx, owner, agents, sentence, 0.8)
            yield from _signed_for(ctx, sentence, verb.end(), owner, bool(agents))
        who = _WHO_SIGNED.search(text)
        if who:
            owner = _owner(ctx, sentence, sentence.begin + who.start()) or SUBJECT
            if _FOR_CAPITAL.search(text[who.end() :]):
                yield from _for_lists(ctx, sentence, who.end(), owner)
            else:
                agents = [
                    a
                    for a in _agents(ctx, _list_span(text[who.end() :]), sentence.begin + who.end())
                    if a.kind == "person"
                ]
                yield from _emit_agents(ctx, owner, agents, sentence, 0.8)


def _only_subject(ctx: Context, sentence: Sentence) -> bool:
    return all(key == SUBJECT for _, key in ctx.treaty_in(sentence))


_JOINED = Cue(
    r"\b(?:joined|acceded\s+to|adhered(?:\s+to)?|became\s+(?:a\s+)?(?:party|parties|signatory|signatories)\s+to)\b",
    ("joined", "acceded", "adhered", "became"),
)
_JOINED_WITHOUT_OBJECT = re.compile(r"\s+(?:on|in|at|later|too|as\s+well)\b|\s*[.,;]|\s*$")
_OPENING_PHRASE = re.compile(r"(?:On|In|At|After|Later|Finally|Eventually|During|Then)\b[^,]*,\s*")
_TIME_WORD_BEFORE = re.compile(r"(?:On|In|By)\s+$")
_SUBJECT_BREAK = re.compile(r";\s*|:\s*|\bwhich\s+|\bwhom\s+|\bthat\s+|\bwhile\s+|\bwhereas\s+|\band\s+(?=the\s+[a-z])")
_WHO_CLAUSE = re.compile(r",\s*who\s+[^,]*,")
_THEY_ONLY = re.compile(r"\s*(?:They|Both|They\s+both)\s*")


@rule("prose_joined")
def prose_joined(ctx: Context) -> Iterable[Fact]:
    """ "Italy joined the pact in 1937", "Italy joined on 6 November 1937", "Spain acceded to the treaty": a party,
    unless what it joined is something else ("joined NATO")."""
    for sentence in ctx.cued(_JOINED):
        for verb in _JOINED.pattern.finditer(sentence.text):
            after = sentence.text[verb.end() :]
            owner = _object_treaty(ctx, sentence, sentence.begin + verb.end())
            if owner is None:
                if not _JOINED_WITHOUT_OBJECT.match(after) or not _only_subject(ctx, sentence):
                    continue  # "joined NATO": an organisation, not the treaty
                owner = SUBJECT
            subject_text, subject_at = _clause_subject(sentence.text, verb.start())
            agents = [
                a for a in _agents(ctx, subject_text, sentence.begin + subject_at, strict=True) if a.kind == "polity"
            ]
            yield from _emit_agents(ctx, owner, agents, sentence, 0.75)


def _clause_subject(text: str, verb_at: int) -> tuple[str, int]:
    """The words before a verb that can be its subject list: after an opening "On DATE," or a clause break,
    without a relative clause (", who led it,") or "which"."""
    before = text[:verb_at]
    start = 0
    opening = _OPENING_PHRASE.match(before)
    dated = find_dates(before[:40])
    if opening:
        start = opening.end()
    elif dated and _TIME_WORD_BEFORE.match(before[: dated[0].begin]):
        start = dated[0].end  # "On 8 April 2010 Barack Obama and Dmitry Medvedev signed ..."
    breaks = [m.end() for m in _SUBJECT_BREAK.finditer(before)]
    start = max([start, *[b for b in breaks if b > start]])
    subject = _WHO_CLAUSE.sub(_blanked, before[start:])
    if _THEY_ONLY.fullmatch(subject):
        return "", start
    return subject, start


_FOR_STATE = re.compile(
    r"\b(?:for|on\s+behalf\s+of)\s+(?:the\s+)?(?P<state>[A-Z][\w'’\-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w'’\-]*)*)"
)
_AND_PERSON_AT_END = re.compile(r"(?:,\s*|\s+)and\s+(?P<person>[A-Z][\w'’.\-]*(?:\s+[A-Z][\w'’.\-]*){0,3})\s*$")
_THE_OR_NOTHING = re.compile(r"\s*(?:the\s+)?")
_PREVIOUS_HEAD = re.compile(r"(?:(?:On|In|During|After)\b[^,]*,\s*)?(?P<list>[^,.;]*?)\s+(?:were|was|had|have)\b")
_PERSONS_FOR_STATE = re.compile(
    r"(?P<persons>[^,;.]+?)\s+(?:for|on\s+behalf\s+of)\s+(?:the\s+)?(?P<state>[A-Z][\w\s'’\-]*?)(?=,|;|\.|\s+and\s+[A-Z]|$)"
)
_ENVOY_ROLES = ("envoys", "delegates", "plenipotentiaries", "representatives", "negotiators")
_APPOINTED_AS = Cue(
    r"\b(?:of|appointed|named|sent)\s+(?P<list>[A-Z][^.;]*?)\s+as\s+(?:\w+\s+)?(?P<role>envoys|delegates|plenipotentiaries|representatives|negotiators)\b",
    _ENVOY_ROLES,
)
_ENVOYS_SIGNED = Cue(
    r"\b(?:These|The|Those)\s+(envoys|delegates|plenipotentiaries|representatives)\s+(?:\w+\s+)?signed\b", ("signed",)
)


def _signed_for(ctx: Context, sentence: Sentence, at: int, owner: str, signer_found: bool) -> Iterator[Fact]:
    """ "... signed for the United States and Briand for France": the states after "for" / "on behalf of" are
    parties, and an elliptical "and Briand for France" adds a signer."""
    text = sentence.text
    for match in _FOR_STATE.finditer(text[at:]):
        states = [
            a
            for a in _agents(ctx, match.group("state"), sentence.begin + at + match.start("state"))
            if a.kind == "polity"
        ]
        yield from _emit_agents(ctx, owner, states, sentence, 0.75)
        ellipsis = _AND_PERSON_AT_END.search(text[at : at + match.start()])
        if ellipsis and signer_found:
            persons = [
                a
                for a in _agents(ctx, ellipsis.group("person"), sentence.begin + at + ellipsis.start("person"))
                if a.kind == "person"
            ]
            yield from _emit_agents(ctx, owner, persons, sentence, 0.7)


def _object_treaty(ctx: Context, sentence: Sentence, verb_at: int) -> str | None:
    """The treaty named right after a verb ("... signed the Anglo-Irish Treaty", "signed the treaty"); a name the
    article has not used before becomes one of its treaties ("Germany concluded the Molotov–Ribbentrop Pact")."""
    named = find_treaty_names(ctx.text[verb_at : min(sentence.end, verb_at + 200)])
    if named and _THE_OR_NOTHING.fullmatch(ctx.text[verb_at : verb_at + named[0].begin]):
        mention = named[0]
        if not ctx.treaty_key(mention.name) and not ctx._subject_like(mention):
            ctx.add_treaty(mention.name, mention.year)
    after = [key for offset, key in ctx.treaty_in(sentence) if verb_at <= offset <= verb_at + 30]
    return after[0] if after else None


def _previous_polities(ctx: Context, sentence: Sentence) -> list[AgentName]:
    """ "Croatia and Albania were invited to join. They both signed the treaty": "they" are the polities that
    open the previous sentence."""
    index = ctx.sentences.index(sentence)
    if index == 0:
        return []
    previous = ctx.sentences[index - 1]
    head = _PREVIOUS_HEAD.match(previous.text)
    if not head:
        return []
    return [a for a in _agents(ctx, head.group("list"), previous.begin + head.start("list")) if a.kind == "polity"]


def _for_lists(ctx: Context, sentence: Sentence, at: int, owner: str) -> Iterator[Fact]:
    """ "X and Y for Russia, and Z and W for Japan": persons are signers, the states after "for" parties."""
    rest = sentence.text[at:]
    for group in _PERSONS_FOR_STATE.finditer(rest):
        persons = _agents(ctx, group.group("persons"), sentence.begin + at + group.start("persons"))
        states = _agents(ctx, group.group("state"), sentence.begin + at + group.start("state"))
        yield from _emit_agents(ctx, owner, [a for a in persons if a.kind == "person"], sentence, 0.8)
        yield from _emit_agents(ctx, owner, [a for a in states if a.kind == "polity"], sentence, 0.8)


@rule("envoys_signed")
def envoys_signed(ctx: Context) -> Iterable[Fact]:
    """ "... appointed A, B and C as envoys ..." then "These envoys signed the treaty": the envoys are signers."""
    groups: dict[str, tuple[list[AgentName], Sentence]] = {}
    for sentence in ctx.cued(_APPOINTED_AS, _ENVOYS_SIGNED):
        text = sentence.text
        for match in _APPOINTED_AS.finditer(text):
            agents = [
                a for a in _agents(ctx, match.group("list"), sentence.begin + match.start("list")) if a.kind == "person"
            ]
            if agents:
                groups[match.group("role")] = (agents, sentence)
        reference = _ENVOYS_SIGNED.search(text) if groups else None
        if reference and reference.group(1) in groups:
            owner = _object_treaty(ctx, sentence, sentence.begin + reference.end() - len("signed"))
            if owner:
                agents, _ = groups[reference.group(1)]
                yield from _emit_agents(ctx, owner, agents, sentence, 0.75)


_PERSON_LINE = re.compile(
    r"^[A-Z][\w'’.\-]+(?:\s+[A-Z][\w'’.\-]+){1,3}(?:\s*;\s*[A-Z][\w'’.\-]+(?:\s+[A-Z][\w'’.\-]+){1,3})+$"
)


@rule("text_infobox_signers")
def text_infobox_signers(ctx: Context) -> Iterable[Fact]:
    """A plain-text mirror's infobox signatories row: a line of personal names separated by semicolons."""
    if SUBJECT not in ctx.treaties or ctx.article.fields:
        return
    for sentence in ctx.sentences[: ctx.lead_index]:
        if not _PERSON_LINE.match(sentence.text):
            continue
        agents = _agents(ctx, sentence.text.replace(";", ","), sentence.begin)
        if agents and all(a.kind == "person" for a in agents):
            yield from _emit_agents(ctx, SUBJECT, agents, sentence, 0.8)


# ================================================================ lineage


_SUPERSEDED_BY = Cue(
    r"\b(?:was|were|been|is|being)\s+(?:later\s+|eventually\s+|formally\s+|effectively\s+)?(?:superseded|replaced|supplanted|succeeded)\s+by\s+",
    ("superseded", "replaced", "supplanted", "succeeded"),
)
_SUPERSEDES = Cue(
    r"\b(?:superseded|replaced|supplanted|succeeded|superseding|replacing|supersedes|replaces)\s+(?:the\s+)?"
    r"(?:(?:earlier|previous|prior|older|original|former)\s+)?(?=[A-Z0-9])",
    ("superseded", "replaced", "supplanted", "succeeded", "superseding", "replacing", "supersedes", "replaces"),
)
_TOOK_AS_MODEL = Cue(r"\btook\s+(?:the\s+)?(?=[A-Z])", ("took",))
_BASED_ON = Cue(
    r"\b(?:based|modell?ed|patterned|founded)\s+(?:\w+\s+){0,5}?(?:on|upon)\s+(?:the\s+)?(?:(?:prior|earlier|previous|original)\s+)?",
    ("based", "modelled", "modeled", "patterned", "founded"),
)
_REAFFIRMED_BY = Cue(
    r"\b(?:was|were)\s+(?:later\s+)?(?:reaffirmed|renewed|confirmed|extended)\s+by\s+(?:the\s+)?",
    ("reaffirmed", "renewed", "confirmed", "extended"),
)
_AS_MODEL = re.compile(r"[^.;]{0,80}?\bas\s+(?:their|its|a|the)\s+model\b")
_BY_AT_END = re.compile(r"\bby\s+$")
_IT_OR_THE_TREATY = re.compile(
    r"(?:it|the\s+(?:new\s+|present\s+|later\s+)?(?:treaty|pact|agreement|accord|convention))\b"
)
_SAME_NAME = re.compile(r"(?:the\s+)?(?:prior\s+|earlier\s+|previous\s+)?[Tt]reaty\s+of\s+the\s+same\s+name\b")


_LINEAGE_PATTERNS: tuple[tuple[Cue, str, bool], ...] = (
    (_SUPERSEDED_BY, "supersedes", False),
    (_SUPERSEDES, "supersedes", True),
    (_BASED_ON, "based_on", True),
    (_REAFFIRMED_BY, "based_on", False),
    (_TOOK_AS_MODEL, "based_on", True),
)
_LINEAGE_CUES = tuple(cue for cue, _, _ in _LINEAGE_PATTERNS)


@rule("lineage")
def lineage(ctx: Context) -> Iterable[Fact]:
    """ "T1 was superseded by T2", "T2 replaced T1", "based on the prior T1", "reaffirmed by T2"."""
    if SUBJECT not in ctx.treaties:
        return
    for sentence in ctx.cued(*_LINEAGE_CUES):
        yield from _lineage_in(ctx, sentence)


def _lineage_in(ctx: Context, sentence: Sentence) -> Iterator[Fact]:
    text = sentence.text
    for pattern, kind, later_first in _LINEAGE_PATTERNS:
        for match in pattern.finditer(text):
            verb_at = sentence.begin + match.start()
            if pattern is _TOOK_AS_MODEL and not _AS_MODEL.match(text[match.end() :]):
                continue  # "took the X as their model": only then is "took" a lineage
            named = _treaty_right_after(ctx, sentence, match.end())
            if named is None:
                continue
            _register_names_before(ctx, sentence, verb_at)
            this = _owner(ctx, sentence, verb_at) or _sentence_subject_treaty(ctx, sentence, verb_at)
            if pattern is _TOOK_AS_MODEL:  # "The negotiators took X as their model": the subject did
                this = SUBJECT if all(k in (SUBJECT, named) for _, k in ctx.treaty_in(sentence)) else None
            if this is None or this == named:
                continue
            later, earlier = (this, named) if later_first else (named, this)
            confidence = 0.85 if kind == "supersedes" or later_first else 0.75
            yield LineageFact(later, kind, earlier, ctx.sentence_prov(sentence, confidence))  # type: ignore[arg-type]
            if kind == "supersedes" and not later_first:
                year = ctx.treaties[later].year
                if year and earlier == SUBJECT:
                    yield DateFact(SUBJECT, "ended", f"{year:04d}", ctx.sentence_prov(sentence, 0.7), "superseded")


def _register_names_before(ctx: Context, sentence: Sentence, at: int) -> None:
    """Treaties named before a lineage verb become references, so the nearest one can be its subject
    ("the Pact of Marseille (1676) ceased to apply, being superseded by it")."""
    for mention in find_treaty_names(ctx.text[sentence.begin : at]):
        if not ctx.treaty_key(mention.name) and not ctx._subject_like(mention):
            ctx.add_treaty(mention.name, mention.year)


def _sentence_subject_treaty(ctx: Context, sentence: Sentence, verb_at: int) -> str | None:
    """A treaty named at the very start of the sentence is its subject ("The Treaty of Brussels, signed on ...,
    was modelled on ..."), even with an appositive before the verb."""
    names = find_treaty_names(sentence.text[:200])
    if not names or names[0].begin > 4 or sentence.begin + names[0].end > verb_at:
        return None
    first = names[0]
    key = ctx.treaty_key(first.name) or ctx._subject_like(first) or ctx.add_treaty(first.name, first.year)
    if key != SUBJECT:
        ctx.last_other = key
    return key


def _treaty_right_after(ctx: Context, sentence: Sentence, at: int) -> str | None:
    """The treaty named at `at` (a new reference when the article has not named it yet)."""
    rest = sentence.text[at:]
    if _BY_AT_END.search(sentence.text[:at]) and _IT_OR_THE_TREATY.match(rest):
        return SUBJECT  # "being superseded by it": the article's treaty
    same_name = _SAME_NAME.match(rest)
    if same_name:
        return _same_name_treaty(ctx, sentence, at + same_name.end())
    names = find_treaty_names(rest[:300])
    if not names or names[0].begin > 4:
        return None
    mention = names[0]
    key = ctx.add_treaty(mention.name, mention.year)
    if key != SUBJECT:
        ctx.last_other = key
    return key


def _same_name_treaty(ctx: Context, sentence: Sentence, at: int) -> str | None:
    """ "the prior Treaty of the same name ... in 1945": an earlier treaty sharing the subject's (shortest) name."""
    dates = find_dates(sentence.text[at:])
    if not dates:
        return None
    english = [n for n in ctx.names[SUBJECT] if n.isascii()] or ctx.names[SUBJECT]
    shortest = min(english, key=len)
    key = f"T{len(ctx.treaties)}"
    ctx.treaties[key] = TreatyRef(key, shortest, dates[0].year)
    ctx.set_names(key, [shortest])
    return key


# ================================================================ violations and resolutions


_VIOLATION = Cue(
    r"\b(?:violated|violating|violation|violations|breached|breaching|breach|broke|broken|contravened|contravening)\b",
    ("violated", "violating", "violation", "violations", "breached", "breaching", "breach", "broke", "broken")
    + ("contravened", "contravening"),
)
_RESOLUTION = Cue(
    r"\b(?:(?P<body>(?:United\s+Nations|UN|U\.N\.)\s+(?:General\s+Assembly|Security\s+Council)|General\s+Assembly|Security\s+Council)"
    r"\s+(?:\w+\s+){0,2}?)?[Rr]esolution\s+(?:No\.\s*)?(?P<number>\d{1,5}(?:/\d+)?)",
    ("Resolution", "resolution"),
)
_ACTIVE_VOTE = re.compile(
    r"^(?:,\s*which\s+)?\s*(?:\w+ly\s+)?(?P<verb>voted\b[^.;]{0,60}?(?:\bto\s+(?:\w+\s+)?(?P<act>terminate|approve|ratify|reject|annul|denounce|accept|abrogate|renounce)\b|\bagainst\b|\bin\s+favou?r\b|\bfor\b)"
    r"|approved|ratified|rejected|adopted|endorsed|gave\s+its\s+(?:advice\s+and\s+)?consent|consented|advised\s+and\s+consented)"
)
_VOTE_WORD = Cue(
    r"\b(?:voted|approved|ratified|rejected|adopted|endorsed|consent|consented)\b",
    ("voted", "approved", "ratified", "rejected", "adopted", "endorsed", "consent", "consented"),
)
_PASSIVE_VOTE = re.compile(
    r"\b(?:was|were)\s+(?:\w+ly\s+)?(?P<verb>approved|ratified|rejected|adopted|endorsed)\s+by\s+(?:the\s+)?"
)


_UN_BODY = re.compile(r"(?:United Nations|UN|U\.N\.)?\s*(?:General Assembly|Security Council)")


@rule("resolutions_un")
def resolutions_un(ctx: Context) -> Iterable[Fact]:
    """UN General Assembly / Security Council resolutions with their number, date and the treaty they concern."""
    for sentence in ctx.cued(_RESOLUTION):
        for match in _RESOLUTION.pattern.finditer(sentence.text):
            body_text = match.group("body") or _un_body_nearby(sentence.text)
            if not body_text:
                continue
            kind: Literal["unsc", "unga"] = "unsc" if "Security" in body_text else "unga"
            body = "United Nations Security Council" if kind == "unsc" else "United Nations General Assembly"
            number = match.group("number")
            date = _date_after(ctx, sentence, sentence.begin + match.end(), 80)
            refs = ctx.treaty_in(sentence)
            decision = (
                "violation"
                if _VIOLATION.search(sentence.text)
                else ("termination" if "terminat" in sentence.text else None)
            )
            entity = ctx.gazetteer.lookup(body).entry
            yield ResolutionFact(
                key=f"R-{kind}-{number}",
                label=f"{body} Resolution {number}",
                kind=kind,
                prov=ctx.sentence_prov(sentence, 0.9),
                number=number,
                body=body,
                body_entity=entity.qid if entity else None,
                date=date.iso if date else None,
                concerns=refs[0][1] if refs else None,
                decision=decision,
            )


def _un_body_nearby(text: str) -> str | None:
    match = _UN_BODY.search(text)
    return match.group(0).strip() if match else None


_RATIFICATION_OR_CONSENT = re.compile(r"\bratification\b|\bconsent\b")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_PROPER_PHRASE = re.compile(r"(?:[A-Z][\w'’.]*)(?:\s+(?:of\s+the\s+|of\s+)?[A-Z][\w'’.]*)*")
_THE_PROPER_PHRASE = re.compile(r"(?:the\s+)?((?:[A-Z][\w'’.]*)(?:\s+(?:of\s+the\s+|of\s+)?[A-Z][\w'’.]*)*)")
_OPENING_WORD = re.compile(r"^(?:On|In|By|After|Then|Meeting|The)\s+")
_OF_QUALIFIER = re.compile(r"\s+of\s+(?:the\s+)?(.+)$")
_COURT_OR_COUNCIL = re.compile(r"\b(?:Court|Council)\b")
_TERMINATION_VERB = re.compile(r"terminat|annul|denounc|abrogat|renounc")
_OTHER_OBJECT = re.compile(r"\s*the\s+(?:appointment|nomination|budget|election|decision)\b")


@rule("legislative_votes")
def legislative_votes(ctx: Context) -> Iterable[Fact]:
    """A legislature's dated vote on a treaty: "On DATE, the Legislative Yuan voted to terminate ...",
    "the United States Senate approved the treaty on DATE", "the treaty was ratified by Dáil Éireann on DATE"."""
    seen: dict[str, set[str]] = {}
    for sentence in ctx.cued(_VOTE_WORD):
        for body, verb, verb_end in _votes_in(ctx, sentence):
            refs = ctx.treaty_in(sentence)
            if not refs and not _RATIFICATION_OR_CONSENT.search(sentence.text):
                continue
            date = _date_after(ctx, sentence, verb_end, 160, stop_at_ratification=False) or _date_before(
                ctx, sentence, verb_end
            )
            if date is None or _ratifies_something_else(ctx.text[verb_end : sentence.end]):
                continue
            name, entity = body
            if any(date.iso in dates and (n.endswith(name) or name.endswith(n)) for n, dates in seen.items()):
                continue
            seen.setdefault(name, set()).add(date.iso)
            decision = _decision(verb)
            concerned = (
                _object_treaty(ctx, sentence, verb_end - len(verb.split()[-1]) - 1)
                or _owner(ctx, sentence, verb_end)
                or (refs[0][1] if refs else SUBJECT)
            )
            yield ResolutionFact(
                key=f"R-vote-{slug_key(name)}-{date.iso}",
                label=f"{name} vote of {ctx.text[date.begin : date.end]}",
                kind="legislative",
                prov=ctx.sentence_prov(sentence, 0.8),
                body=name,
                body_entity=entity,
                date=date.iso,
                concerns=concerned,
                decision=decision,
            )
            if decision == "termination":
                yield DateFact(concerned, "ended", date.iso, ctx.sentence_prov(sentence, 0.8), "terminated")


def slug_key(text: str) -> str:
    return _NOT_SLUG.sub("-", text.lower()).strip("-")


def _votes_in(ctx: Context, sentence: Sentence) -> Iterator[tuple[tuple[str, str | None], str, int]]:
    """(body, verb, end of verb) for each legislature voting in the sentence, active or passive."""
    text = sentence.text
    if not _VOTE_WORD.search(text):
        return
    for passive in _PASSIVE_VOTE.finditer(text):
        body = _legislature_at(ctx, text[passive.end() :])
        if body:
            yield body, passive.group("verb"), sentence.begin + passive.end("verb")
    for phrase in _PROPER_PHRASE.finditer(text):
        body = _legislature_at(ctx, phrase.group(0))
        if not body:
            continue
        active = _ACTIVE_VOTE.match(text[phrase.end() :])
        if active:
            yield body, active.group("verb"), sentence.begin + phrase.end() + active.end("verb")


def _legislature_at(ctx: Context, text: str) -> tuple[str, str | None] | None:
    """The legislature named at the start of `text`: a gazetteer organ, or a name with a legislature word
    ("Legislative Yuan of the Republic of China" -> "Legislative Yuan", "Congress of the Confederation")."""
    match = _THE_PROPER_PHRASE.match(text)
    if not match:
        return None
    name = _OPENING_WORD.sub("", match.group(1))
    qualifier = _OF_QUALIFIER.search(name)
    if qualifier and ctx.gazetteer.knows(qualifier.group(1)) and LEGISLATURE_WORDS.search(name[: qualifier.start()]):
        name = name[: qualifier.start()]  # "of the Republic of China" says whose legislature, not its name
    if not name or find_dates(name) or name in ("General Assembly", "Security Council"):
        return None  # the UN's bodies adopt numbered resolutions (resolutions_un), not votes on a treaty
    link = ctx.gazetteer.lookup(name)
    if link.entry and link.entry.type == "organ" and not link.entry.label.startswith("United Nations"):
        return link.entry.label, link.entry.qid  # UN bodies adopt numbered resolutions: see resolutions_un
    if link.entry is None and LEGISLATURE_WORDS.search(name) and not _COURT_OR_COUNCIL.search(name):
        return name, None
    return None


def _decision(verb: str) -> str:
    verb = verb.lower()
    if _TERMINATION_VERB.search(verb):
        return "termination"
    if "reject" in verb or "against" in verb:
        return "rejection"
    if verb.startswith("ratif") or "ratify" in verb:
        return "ratification"
    return "approval"


def _ratifies_something_else(after: str) -> bool:
    """ "ratified the appointment of ..." is a vote, but not about a treaty."""
    return bool(_OTHER_OBJECT.match(after))


@rule("violations")
def violations(ctx: Context) -> Iterable[Fact]:
    """ "X had violated the terms of the treaty", "..., which was a violation of the Treaty of Y" (violators: the
    parties named before), with the resolution or body that found so, when the sentence names one."""
    resolutions = {f.prov.evidence.begin: f for f in ctx.facts if isinstance(f, ResolutionFact)}
    for sentence in ctx.cued(_VIOLATION):
        for match in _VIOLATION.pattern.finditer(sentence.text):
            treaty = _violated_treaty(ctx, sentence, match)
            if treaty is not None:
                yield from _violation_facts(ctx, sentence, match, treaty, resolutions.get(sentence.begin))


def _violation_facts(
    ctx: Context, sentence: Sentence, match: re.Match[str], treaty: str, finding: ResolutionFact | None
) -> Iterator[Fact]:
    for agent in _violators(ctx, sentence, match):
        entity = agent.link.entry.qid if agent.link.entry else None
        yield ViolationFact(
            treaty,
            agent.surface,
            ctx.sentence_prov(sentence, 0.8),
            violator_entity=entity,
            determined_by=finding.key if finding else None,
            date=finding.date if finding else None,
        )


_OF_THE_TREATY = re.compile(
    r"\s+(?:of\s+)?(?:the\s+)?(?:terms\s+of\s+|provisions\s+of\s+|spirit\s+of\s+)?(?:the\s+)?(?:treaty|pact|agreement|accord|convention|it)\b"
)
_OF_ITS_TERMS = re.compile(r"\s+(?:of\s+)?its\s+(?:terms|provisions|obligations|clauses|articles)\b")
_OF_THE_TERMS_OF = re.compile(r"\s+(?:of\s+)?(?:the\s+)?(?:terms\s+of\s+|provisions\s+of\s+)?(?:the\s+)?")
_TO_BE_IN = re.compile(r"\bto\s+(?:be|have\s+been)\s+in\s+(?:material\s+)?$")
_TREATY_VIOLATED_BY = re.compile(
    r"\b(?:treaty|pact|agreement)\s+(?:was|had\s+been)\s+(?:\w+\s+)?(?:violated|breached|broken)\s+by\b"
)
_DECLARED_IN_BREACH = re.compile(
    r"\b(?:declared|found|judged|deemed|considered|held)\s+(?:the\s+)?(?P<x>[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*)*)\s+to\s+(?:be|have\s+been)\s+in\s+(?:material\s+)?$"
)
_VIOLATED_BY = re.compile(r"(?:violated|breached|broken)\s+by\s+(?:the\s+)?")
_REPORTED_CLAUSE = re.compile(
    r"\b(?:confirmed|found|ruled|determined|declared|concluded|said|stated|stating|reported|claimed|alleged|conceded|noted|announced|argued)\s+that\s+|;\s*|,\s*and\s+|,\s*but\s+"
)
_BETWEEN_WORD = re.compile(r"\bbetween\s+(?:the\s+)?")
_CLAUSE_HEAD = re.compile(r"\s*(?:(?:In|On|By|During|After)\s+[^,]*,\s*)?(?:the\s+|both\s+)?")


def _violated_treaty(ctx: Context, sentence: Sentence, match: re.Match[str]) -> str | None:
    """The treaty right after the violation word ("violation of the Treaty of X", "violated the terms of the treaty")."""
    after = sentence.text[match.end() : match.end() + 60]
    if _OF_THE_TREATY.match(after):
        return SUBJECT
    if _OF_ITS_TERMS.match(after) and _only_subject(ctx, sentence):
        return SUBJECT
    named = _OF_THE_TERMS_OF.match(after)
    key = _treaty_right_after(ctx, sentence, match.end() + (named.end() if named else 0))
    if key:
        return key
    if _TO_BE_IN.search(sentence.text[: match.start()]) and _only_subject(ctx, sentence):
        return SUBJECT  # "declared Russia to be in material breach": of the article's treaty
    passive = _TREATY_VIOLATED_BY.search(sentence.text)
    return SUBJECT if passive else None


def _violators(ctx: Context, sentence: Sentence, match: re.Match[str]) -> list[AgentName]:
    text = sentence.text
    declared = _DECLARED_IN_BREACH.search(text[: match.start()])
    if declared:  # "declared Russia to be in material breach"
        agent = classify(declared.group("x"), sentence.begin + declared.start("x"), ctx.gazetteer, ctx.subject_year)
        return [agent] if agent and agent.kind == "polity" else []
    passive = _VIOLATED_BY.search(text)
    if passive and passive.start() >= match.start() - 1:
        span = _list_span(text[passive.end() :])
        return [a for a in _agents(ctx, span, sentence.begin + passive.end()) if a.kind == "polity"]
    before = text[: match.start()]
    clause = _REPORTED_CLAUSE.split(before)[-1]
    clause_at = sentence.begin + len(before) - len(clause)
    between = _BETWEEN_WORD.search(clause)
    if between:
        span = _between_span(clause[between.end() :])
        return [a for a in _agents(ctx, span, clause_at + between.end()) if a.kind == "polity"]
    # the violator is the clause's subject: "the Soviet Union had violated", "Italy broke it again";
    # a place inside the subject ("launchers in Romania violated") is not
    head = _CLAUSE_HEAD.match(clause)
    start = head.end() if head else 0
    for begin, _end, name in ctx.gazetteer.find_in(clause):
        if begin == start:
            agent = classify(name, clause_at + begin, ctx.gazetteer, ctx.subject_year)
            return [agent] if agent and agent.kind == "polity" else []
    return []


# ================================================================ endings by a party (after the parties are known)


_ACTIVE_END = Cue(
    r"\b(?P<verb>denounced|abrogated|terminated|annulled|repudiated|renounced)\s+(?:the|its|their|this)\s+",
    ("denounced", "abrogated", "terminated", "annulled", "repudiated", "renounced"),
)
_WITHDREW = Cue(
    r"\b(?:withdrew|withdrawn|withdrawing|withdrawal)\s+from\s+(?:the|this|its)\s+",
    ("withdrew", "withdrawn", "withdrawing", "withdrawal"),
)
_CLAUSE_END = re.compile(r",\s+(?:which|and|but|who)\b|;")
_TIME_OPENING = re.compile(r"(?:On|In|By|During|After|At)\b")


@rule("prose_ended_by_a_party")
def prose_ended_by_a_party(ctx: Context) -> Iterable[Fact]:
    """ "In his speech of 28 April 1939 Hitler denounced the pact", "the Soviet government abrogated the treaty
    on 5 May 1950"; and a withdrawal from a two-party treaty, which ends it ("the United States withdrew from
    the treaty in 2002"). A withdrawal from a treaty of more parties ends only that party's membership."""
    for sentence in ctx.cued(_ACTIVE_END, _WITHDREW):
        for pattern, how in ((_ACTIVE_END, None), (_WITHDREW, "withdrawn")):
            for match in pattern.finditer(sentence.text):
                at = sentence.begin + match.end() - 1
                owner = _object_treaty(ctx, sentence, at - 4)
                if owner is None or _negated(sentence.text[: match.start()]):
                    continue
                if how == "withdrawn" and _party_count(ctx, owner) != 2:
                    continue
                clause_end = _CLAUSE_END.search(sentence.text[match.end() :])
                window = clause_end.start() + 1 if clause_end else 80
                date = _date_after(ctx, sentence, at, min(window, 80)) or _date_in_opening(
                    ctx, sentence, sentence.begin + match.start()
                )
                if date is None:
                    continue
                kind = how or _ending_how(match.group("verb").lower(), "")
                yield DateFact(owner, "ended", date.iso, ctx.sentence_prov(sentence, 0.7), kind)


def _party_count(ctx: Context, treaty: str) -> int:
    return len(
        {
            (f.entity or f.name)
            for f in ctx.facts
            if isinstance(f, AgentFact) and f.role == "party" and f.treaty == treaty
        }
    )


def _date_in_opening(ctx: Context, sentence: Sentence, verb_at: int) -> DateMention | None:
    """ "In his Reichstag speech of 28 April 1939 Hitler denounced ...": the one date before the verb, in a
    sentence that opens with a time phrase."""
    before = ctx.text[sentence.begin : verb_at]
    dates = find_dates(before)
    if len(dates) != 1 or not _TIME_OPENING.match(sentence.text):
        return None
    return DateMention(dates[0].begin + sentence.begin, dates[0].end + sentence.begin, dates[0].iso)


# ================================================================ dates named with the treaty (after every rule that names treaties)


@rule("name_year")
def name_year(ctx: Context) -> Iterable[Fact]:
    """A year the article attaches to a treaty's name ("Sèvres, Treaty of (1920)", "Treaty of Berlin, 1926",
    "the 1920 Treaty of Sèvres") dates its signing, when nothing more precise is known."""
    for key, ref in list(ctx.treaties.items()):
        if not ref.year or any(isinstance(f, DateFact) and f.treaty == key and f.kind == "signed" for f in ctx.facts):
            continue
        evidence = _sentence_naming_year(ctx, key, ref.year)
        if evidence:
            yield DateFact(key, "signed", f"{ref.year:04d}", ctx.sentence_prov(evidence, 0.6))


def _sentence_naming_year(ctx: Context, key: str, year: int) -> Sentence | None:
    for sentence in ctx.sentences:
        if str(year) in sentence.text and any(k == key for _, k in ctx.treaty_in(sentence)):
            return sentence
    return None


# ================================================================ running the rules


def extract_article(article: IngestedArticle, gazetteer: Gazetteer | None = None) -> ArticleFacts:
    """Run every rule over one article; a rule that fails is reported as a problem, never fatal."""
    ctx = Context(article, gazetteer or default_gazetteer(), split_sentences(article.text))
    problems = list(article.problems)
    for name, function in RULES:
        ctx.rule_name = name
        try:
            for fact in function(ctx):
                ctx.emit(fact)
        except Exception as error:  # noqa: BLE001 - one rule's bug must not lose the article's other facts
            problems.append(f"rule {name} failed: {type(error).__name__}: {error}")
    if SUBJECT not in ctx.treaties:
        problems.append("no treaty found in the article")
    _name_secondary_treaties(ctx)
    facts = _dedupe(ctx.facts)
    used = {SUBJECT} | {getattr(f, "treaty", None) for f in facts} | {getattr(f, "earlier", None) for f in facts}
    used |= {f.concerns for f in facts if isinstance(f, ResolutionFact)}
    treaties = tuple(ref for key, ref in ctx.treaties.items() if key in used)
    return ArticleFacts(
        path=article.path,
        format=article.format,
        title=article.title,
        text_length=len(article.text),
        content_sha256=article.content_sha256,
        treaties=treaties,
        facts=tuple(facts),
        problems=tuple(problems),
        extractor_version=EXTRACTOR_VERSION,
    )


def _name_secondary_treaties(ctx: Context) -> None:
    """Other treaties a fact points to carry their names as NameFacts, with the evidence of the first fact
    that names them, so the graph can label them and merge them with the articles about them."""
    for key in ctx.treaties:
        if key == SUBJECT:
            continue
        evidence = next(
            (f.prov.evidence for f in ctx.facts if key in (getattr(f, "treaty", None), getattr(f, "earlier", None))),
            None,
        )
        if evidence is None:
            continue
        for name in ctx.names.get(key, [ctx.treaties[key].label]):
            ctx.facts.append(NameFact(key, name, "en", Provenance("treaty_mention", 0.7, evidence)))


def _dedupe(facts: list[Fact]) -> list[Fact]:
    """One fact per (kind, treaty, value): the first rule to find it wins (rules run most-reliable first)."""
    seen: set[tuple[object, ...]] = set()
    kept: list[Fact] = []
    for fact in facts:
        key = _identity(fact)
        if key not in seen:
            seen.add(key)
            kept.append(fact)
    return kept


def _identity(fact: Fact) -> tuple[object, ...]:
    if isinstance(fact, NameFact):
        return ("name", fact.treaty, _name_key(fact.name), fact.lang)
    if isinstance(fact, DateFact):
        return ("date", fact.treaty, fact.kind, fact.value)
    if isinstance(fact, PlaceFact):
        return ("place", fact.treaty)
    if isinstance(fact, AgentFact):
        return ("agent", fact.treaty, fact.role, fact.entity or fact.name.lower())
    if isinstance(fact, LineageFact):
        return ("lineage", fact.treaty, fact.kind, fact.earlier)
    if isinstance(fact, ViolationFact):
        return ("violation", fact.treaty, fact.violator_entity or fact.violator.lower())
    return ("resolution", fact.key)
