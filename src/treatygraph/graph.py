"""Graph building: the facts of every article in, one RDF graph with provenance out (docs/graph-shape.md).

Two steps. `resolve` decides identity across articles (one node per real-world thing: a treaty described by
several articles, a party linked to one Wikidata item), using only the small ArticleFacts records.
`article_triples` then writes each article's triples under those deterministic IRIs, so each article's
statements are known apart (per-article named graphs, incremental rebuilds) and the same input always gives
the same IRIs.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCTERMS_NAMESPACE
from rdflib.namespace import OWL
from rdflib.namespace import PROV as PROV_NAMESPACE
from rdflib.namespace import RDF as RDF_NAMESPACE
from rdflib.namespace import RDFS as RDFS_NAMESPACE
from rdflib.namespace import SKOS as SKOS_NAMESPACE
from rdflib.namespace import XSD as XSD_NAMESPACE
from rdflib.term import _is_valid_langtag

from . import EXTRACTOR_VERSION
from .dates import year_of
from .gazetteer import Gazetteer, default_gazetteer
from .types import (
    AgentFact,
    ArticleFacts,
    DateFact,
    Fact,
    LineageFact,
    NameFact,
    PlaceFact,
    Provenance,
    ResolutionFact,
    TreatyRef,
    ViolationFact,
)
from .vocab import (
    AGENT_CLASSES,
    DBR,
    DECISIONS,
    DEFAULT_BASE,
    ENDING_KINDS,
    OA,
    PREFIXES,
    RESOLUTION_CLASSES,
    TREATY_KINDS,
    WD,
    TermCache,
)
from .vocab import TG as TG_NAMESPACE

# The writer names a vocabulary term in nearly every triple: through these, each term is made once.
RDF, RDFS, SKOS, PROV, DCTERMS, XSD, TG = map(
    TermCache,
    (RDF_NAMESPACE, RDFS_NAMESPACE, SKOS_NAMESPACE, PROV_NAMESPACE, DCTERMS_NAMESPACE, XSD_NAMESPACE, TG_NAMESPACE),
)

Triple = tuple[URIRef, URIRef, URIRef | Literal]
FORMATS = {"text": "text/plain", "html": "text/html", "wikitext": "text/x-wiki"}
DATE_PROPERTIES = {"signed": TG.signedOn, "effective": TG.effectiveOn, "ended": TG.endedOn}

# Terms every record and evidence node uses, looked up once (a namespace attribute costs a method call).
_TYPE, _STATEMENT, _FACT_RECORD = RDF.type, RDF.Statement, TG.FactRecord
_SUBJECT, _PREDICATE, _OBJECT = RDF.subject, RDF.predicate, RDF.object
_RULE, _CONFIDENCE, _GENERATED_BY, _EVIDENCE, _AS_WRITTEN = (
    TG.rule,
    TG.confidence,
    PROV.wasGeneratedBy,
    TG.evidence,
    TG.asWritten,
)
_EVIDENCE_CLASS, _SPECIFIC_RESOURCE, _HAS_SOURCE, _HAS_SELECTOR = (
    TG.Evidence,
    OA.SpecificResource,
    OA.hasSource,
    OA.hasSelector,
)
_POSITION_SELECTOR, _QUOTE_SELECTOR, _START, _END, _EXACT = (
    OA.TextPositionSelector,
    OA.TextQuoteSelector,
    OA.start,
    OA.end,
    OA.exact,
)


def _minted(iri: str) -> URIRef:
    """A node IRI the writer mints under its article's base: slugs, digits and hex digests after a base that
    `article_iri` already checked, so rdflib's character-by-character validity check (a fifth of the
    writer's time) is skipped. URIRef's constructor is that check and then this."""
    return str.__new__(URIRef, iri)


def text_literal(text: str, lang: str | None = None) -> Literal:
    """`Literal(text, lang=lang)` for a plain string: the object rdflib's constructor makes (a test compares
    them), without its general path (type dispatch, casting to a Python value and back), which took about a
    third of the writer's time. Anything but a plain string goes through the constructor."""
    if type(text) is not str:
        return Literal(text, lang=lang)
    literal = str.__new__(Literal, text)
    literal._language = _checked_language(lang) if lang else None
    literal._datatype = None
    literal._value = text
    literal._ill_typed = None
    return literal


@lru_cache(maxsize=256)
def _checked_language(lang: str) -> str:
    if not _is_valid_langtag(lang):
        raise ValueError(f"'{lang}' is not a valid language tag!")  # as rdflib's constructor says it
    return lang


@lru_cache(maxsize=4096)
def _offset_literal(value: int) -> Literal:
    return Literal(value, datatype=XSD.nonNegativeInteger)


@lru_cache(maxsize=1024)
def _confidence_literal(value: float) -> Literal:
    return Literal(Decimal(str(value)), datatype=XSD.decimal)


@lru_cache(maxsize=256)
def _plain_literal(value: str) -> Literal:
    return text_literal(value)


def slug(text: str, limit: int = 80) -> str:
    """ASCII, lower-case, hyphenated; stable for the same text."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not cleaned:
        cleaned = hashlib.sha256(text.encode()).hexdigest()[:12]
    return cleaned[:limit].rstrip("-")


def digest(*parts: object, length: int = 16) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:length]


@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """How names are compared for identity: case, accents, punctuation, parentheses, "the/of/and" ignored."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"\([^)]*\)", " ", text.replace("–", "-").replace("—", "-").replace("’", "'"))
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"\b(?:the|of|and)\b", " ", text)
    return " ".join(text.split())


_XPATH_SPACES = re.compile(r"[ \t\n\r]+")


def label_key(label: str) -> str:
    """A label's `tg:nameKey`, what a query finds an agent or a treaty by in any case (queries/party.rq,
    queries/treaty.rq): the label in lower case by `str.lower()`, which is SPARQL's LCASE in rdflib and in
    pyoxigraph alike (`casefold()` is not: it makes "ß" "ss", LCASE keeps it), with each run of spaces, tabs and
    line breaks (XPath's whitespace, what the query's REPLACE collapses) made one space and none at either end."""
    return _XPATH_SPACES.sub(" ", label.lower()).strip(" ")


@lru_cache(maxsize=1 << 16)
def _label_key_literal(label: str) -> Literal:
    return text_literal(label_key(label))


@lru_cache(maxsize=1 << 18)  # a 100k-article corpus has ~100k distinct dates
def date_literal(iso: str) -> Literal:
    parts = iso.split("-")
    datatype = {1: XSD.gYear, 2: XSD.gYearMonth}.get(len(parts), XSD.date)
    return Literal(iso, datatype=datatype)


# ================================================================ identity across articles


@dataclass(frozen=True)
class TreatyNode:
    iri: URIRef
    label: str
    year: int | None


@dataclass(frozen=True)
class TreatyMention:
    """What identity resolution needs of one treaty an article talks about: small, picklable."""

    article: str
    key: str
    names: tuple[str, ...]
    year: int | None
    is_subject: bool


class Resolution:
    """Where every article-local treaty key points in the merged graph."""

    def __init__(self, base: str, treaty_of: dict[tuple[str, str], TreatyNode]) -> None:
        self.base = base
        self.treaty_of = treaty_of

    def treaty(self, article: str, key: str) -> TreatyNode | None:
        return self.treaty_of.get((article, key))


def treaty_mentions(article: ArticleFacts) -> list[TreatyMention]:
    """The treaties one article mentions, with their names and signing year."""
    names: dict[str, list[str]] = defaultdict(list)
    signed: dict[str, str] = {}
    for fact in article.facts:
        if isinstance(fact, NameFact):
            names[fact.treaty].append(fact.name)
        elif isinstance(fact, DateFact) and fact.kind == "signed" and fact.prov.confidence >= 0.5:
            signed.setdefault(fact.treaty, fact.value)
    mentions = []
    for ref in article.treaties:
        year = year_of(signed.get(ref.key)) or ref.year
        mentions.append(
            TreatyMention(article.path, ref.key, tuple(names.get(ref.key) or [ref.label]), year, ref.key == "T0")
        )
    return mentions


def resolve(articles: Iterable[ArticleFacts], base: str = DEFAULT_BASE) -> Resolution:
    """Cluster the treaties of all articles: the same name and a compatible year make one treaty."""
    return resolve_mentions((m for article in articles for m in treaty_mentions(article)), base)


def resolve_mentions(mentions: Iterable[TreatyMention], base: str = DEFAULT_BASE) -> Resolution:
    """`resolve` from the mentions alone (what a streaming build keeps of each article)."""
    refs = sorted(mentions, key=lambda r: (r.article, r.key))
    parent = list(range(len(refs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    dated: dict[tuple[str, int], int] = {}
    for index, ref in enumerate(refs):
        if ref.year is None:
            continue
        for name in ref.names:
            slot = (name_key(name), ref.year)
            if slot in dated:
                union(index, dated[slot])
            else:
                dated[slot] = index
    years_of: dict[str, list[int]] = defaultdict(list)  # name key -> years it is dated with (one pass, not one per ref)
    for key, year in dated:
        years_of[key].append(year)
    undated: dict[str, int] = {}
    for index, ref in enumerate(refs):
        if ref.year is not None:
            continue
        clusters = {find(dated[(k, y)]) for k in map(name_key, ref.names) for y in years_of.get(k, ())}
        if len(clusters) == 1:  # one dated treaty of that name: the same treaty
            union(index, clusters.pop())
            continue
        if clusters:  # several treaties share that name: undecidable, keep it apart
            continue
        for name in ref.names:
            key = name_key(name)
            if key in undated:
                union(index, undated[key])
            else:
                undated[key] = index
    groups: dict[int, list[TreatyMention]] = defaultdict(list)
    for index, ref in enumerate(refs):
        groups[find(index)].append(ref)
    return Resolution(base, _mint(groups.values(), base))


def _most_common_label_and_year(group: list[TreatyMention]) -> tuple[str, int | None]:
    """The group's label (its subject articles' most common first name, ties by name) and year."""
    labels = Counter(r.names[0] for r in group if r.is_subject) or Counter(r.names[0] for r in group)
    label = sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    years = Counter(r.year for r in group if r.year)
    year = sorted(years.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if years else None
    return label, year


def _mint(groups: Iterable[list[TreatyMention]], base: str) -> dict[tuple[str, str], TreatyNode]:
    treaty_of: dict[tuple[str, str], TreatyNode] = {}
    taken: set[str] = set()
    for group in sorted(groups, key=lambda g: min((r.article, r.key) for r in g)):
        if len(group) == 1:  # most treaties: one article's mention (the counting below, without its cost)
            label, year = group[0].names[0], group[0].year or None
        else:
            label, year = _most_common_label_and_year(group)
        local = slug(label) + (f"-{year}" if year else "")
        candidate, n = local, 2
        while candidate in taken:
            candidate, n = f"{local}-{n}", n + 1
        taken.add(candidate)
        node = TreatyNode(URIRef(f"{base}treaty/{candidate}"), label, year)
        for ref in group:
            treaty_of[(ref.article, ref.key)] = node
    return treaty_of


# ================================================================ one article's triples


def article_iri(base: str, path: str) -> URIRef:
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return URIRef(f"{base}article/{slug(stem, 60)}-{digest(path, length=8)}")


# Nodes minted from one article's path (its node, activity, fact records, evidence and selectors): no other
# article ever states a triple about them. Treaties, entities, places, resolutions and violations are shared.
ARTICLE_LOCAL_KINDS = ("article/", "activity/", "fact/", "evidence/")


def article_local_prefixes(base: str) -> tuple[str, ...]:
    """IRI prefixes of the nodes only one article describes; `iri.startswith(prefixes)` tests a subject."""
    return tuple(base + kind for kind in ARTICLE_LOCAL_KINDS)


class ArticleWriter:
    """Writes the triples of one article: facts, their records, evidence, and the entities they name."""

    def __init__(self, article: ArticleFacts, resolution: Resolution, gazetteer: Gazetteer) -> None:
        self.article = article
        self.resolution = resolution
        self.base = resolution.base
        self.gazetteer = gazetteer
        self.iri = article_iri(self.base, article.path)
        self.activity = _minted(f"{self.iri.replace('/article/', '/activity/')}-{EXTRACTOR_VERSION}")
        self.triples: list[Triple] = []
        self.evidence_base = self.iri.replace("/article/", "/evidence/")
        self.evidence_nodes: dict[tuple[int, int], URIRef] = {}
        # a treaty or entity named by several facts is described once (the same triples again would only be
        # dropped as duplicates)
        self.treaties: dict[str, URIRef | None] = {}
        self.treaty_keys: set[tuple[URIRef, Literal]] = set()  # (treaty, tg:nameKey) already written
        self.entities: dict[tuple[str, str | None, str], URIRef] = {}
        self.treaty_refs: dict[str, TreatyRef] = {}  # key -> the article's first reference with that key
        for ref in article.treaties:
            self.treaty_refs.setdefault(ref.key, ref)
        # an article that gives two different dates for one event contradicts itself: trust neither fully
        self.confidence_scale: dict[tuple[URIRef, URIRef], float] = {}
        for key, kind in _contradictions(article):
            node = resolution.treaty(article.path, key)
            if node is not None:
                self.confidence_scale[(node.iri, DATE_PROPERTIES[kind])] = 0.5

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.triples.append((s, p, o))

    def fact(self, s: URIRef, p: URIRef, o: URIRef | Literal, prov: Provenance, written: str | None = None) -> None:
        """A fact triple and its record: rule, confidence, the activity that made it, and its evidence."""
        self.add(s, p, o)
        # one record per reading: the same fact read twice in one article (from the infobox and from the lead)
        # has two records, each with its own rule, confidence and evidence
        ev = prov.evidence
        record = _minted(f"{self.base}fact/{digest(self.article.path, s, p, o, ev.begin, ev.end, prov.rule)}")
        confidence = round(prov.confidence * self.confidence_scale.get((s, p), 1.0), 3)
        self.triples += (
            (record, _TYPE, _STATEMENT),
            (record, _TYPE, _FACT_RECORD),
            (record, _SUBJECT, s),
            (record, _PREDICATE, p),
            (record, _OBJECT, o),
            (record, _RULE, _plain_literal(prov.rule)),
            (record, _CONFIDENCE, _confidence_literal(confidence)),
            (record, _GENERATED_BY, self.activity),
            (record, _EVIDENCE, self.evidence(prov)),
        )
        if written:
            self.add(record, _AS_WRITTEN, text_literal(written))

    def evidence(self, prov: Provenance) -> URIRef:
        ev = prov.evidence
        key = (ev.begin, ev.end)
        known = self.evidence_nodes.get(key)
        if known is not None:  # several facts read from one sentence share its evidence node
            return known
        node = _minted(f"{self.evidence_base}-{ev.begin}-{ev.end}")
        position, quote = _minted(f"{node}#position"), _minted(f"{node}#quote")
        self.triples += (
            (node, _TYPE, _EVIDENCE_CLASS),
            (node, _TYPE, _SPECIFIC_RESOURCE),
            (node, _HAS_SOURCE, self.iri),
            (node, _HAS_SELECTOR, position),
            (node, _HAS_SELECTOR, quote),
            (position, _TYPE, _POSITION_SELECTOR),
            (position, _START, _offset_literal(ev.begin)),
            (position, _END, _offset_literal(ev.end)),
            (quote, _TYPE, _QUOTE_SELECTOR),
            (quote, _EXACT, text_literal(ev.quote)),
        )
        self.evidence_nodes[key] = node
        return node

    # ---- entities

    def entity(self, name: str, qid: str | None, role: str) -> URIRef:
        """One node per real-world thing: the Q-id when linked, else the name (its triples written once)."""
        known = self.entities.get((name, qid, role))
        if known is not None:
            return known
        node = self.entities[(name, qid, role)] = self._entity(name, qid, role)
        return node

    def _entity(self, name: str, qid: str | None, role: str) -> URIRef:
        entry = self.gazetteer.by_qid.get(qid) if qid else None
        node = _minted(f"{self.base}entity/{entry.qid if entry else slug(name)}")
        if entry:
            self.add(node, RDF.type, AGENT_CLASSES.get(entry.type, TG.Party))
            self.add(node, RDFS.label, text_literal(entry.label, "en"))
            self.add(node, SKOS.exactMatch, WD[entry.qid])
            if entry.dbpedia:
                self.add(node, SKOS.exactMatch, DBR[entry.dbpedia.replace(" ", "_")])
        else:
            self.add(node, RDF.type, _unlinked_class(name, role))
            self.add(node, RDFS.label, text_literal(name, "en"))
        # Every party, signer, violator and body is an entity: the key of its label (its only label or alias)
        # lets `party` find it by a name in any case through the index.
        self.add(node, TG.nameKey, _label_key_literal(entry.label if entry else name))
        return node

    def treaty(self, key: str) -> URIRef | None:
        """The treaty node an article-local key resolved to (its triples written once), or None."""
        if key in self.treaties:
            return self.treaties[key]
        iri = self.treaties[key] = self._treaty(key)
        return iri

    def _treaty(self, key: str) -> URIRef | None:
        node = self.resolution.treaty(self.article.path, key)
        if node is None:
            return None
        self.add(node.iri, RDF.type, TG.Treaty)
        self.add(node.iri, RDFS.label, text_literal(node.label, "en"))
        self.add(node.iri, SKOS.prefLabel, text_literal(node.label, "en"))
        self._treaty_key(node.iri, node.label)
        self.add(node.iri, PROV.wasDerivedFrom, self.iri)
        ref = self.treaty_refs.get(key)
        if ref is not None and ref.kind in TREATY_KINDS:
            self.add(node.iri, RDF.type, TREATY_KINDS[ref.kind])
        return node.iri

    # ---- the article

    def write(self) -> list[Triple]:
        self._article_node()
        resolutions = self._resolutions()
        for fact in self.article.facts:
            self._fact(fact, resolutions)
        return self.triples

    def _article_node(self) -> None:
        a = self.article
        self.add(self.iri, RDF.type, TG.Article)
        self.add(self.iri, RDF.type, PROV.Entity)
        if a.title:
            self.add(self.iri, DCTERMS.title, text_literal(a.title))
        self.add(self.iri, TG.sourcePath, text_literal(a.path))
        self.add(self.iri, DCTERMS.format, text_literal(FORMATS.get(a.format, "text/plain")))
        self.add(self.iri, TG.textLength, Literal(a.text_length, datatype=XSD.nonNegativeInteger))
        self.add(self.iri, TG.contentSha256, text_literal(a.content_sha256))
        agent = _minted(f"{self.base}agent/treatygraph-extractor")
        self.add(self.activity, RDF.type, PROV.Activity)
        self.add(self.activity, PROV.used, self.iri)
        self.add(self.activity, PROV.wasAssociatedWith, agent)
        self.add(self.activity, TG.extractorVersion, text_literal(a.extractor_version or EXTRACTOR_VERSION))
        self.add(agent, RDF.type, PROV.SoftwareAgent)
        self.add(agent, RDFS.label, text_literal("treatygraph extractor", "en"))

    def _resolutions(self) -> dict[str, URIRef]:
        nodes: dict[str, URIRef] = {}
        for fact in self.article.facts:
            if isinstance(fact, ResolutionFact):
                nodes[fact.key] = self._resolution(fact)
        return nodes

    def _resolution(self, fact: ResolutionFact) -> URIRef:
        ident = fact.label if fact.number else f"{fact.body or 'vote'} vote {fact.date or fact.label}"
        node = _minted(f"{self.base}resolution/{slug(ident)}")
        self.add(node, RDF.type, TG.Resolution)
        self.add(node, RDF.type, RESOLUTION_CLASSES[fact.kind])
        self.fact(node, RDFS.label, text_literal(fact.label, "en"), fact.prov)
        if fact.number:
            self.fact(node, TG.resolutionNumber, text_literal(fact.number), fact.prov)
        if fact.body:
            body = self.entity(fact.body, fact.body_entity, "organ")
            self.fact(node, TG.adoptedBy, body, fact.prov, fact.body)
        if fact.date:
            self.fact(node, TG.adoptedOn, date_literal(fact.date), fact.prov)
        treaty = self.treaty(fact.concerns) if fact.concerns else None
        if treaty is not None:
            self.fact(node, TG.concerns, treaty, fact.prov)
        if fact.decision in DECISIONS:
            self.fact(node, TG.decision, DECISIONS[fact.decision], fact.prov)
        return node

    def _fact(self, fact: Fact, resolutions: dict[str, URIRef]) -> None:
        if isinstance(fact, ResolutionFact):
            return
        treaty = self.treaty(fact.treaty)
        if treaty is None:
            return
        if isinstance(fact, NameFact):
            self._name(treaty, fact)
        elif isinstance(fact, DateFact):
            self.fact(treaty, DATE_PROPERTIES[fact.kind], date_literal(fact.value), fact.prov)
            if fact.kind == "ended" and fact.how in ENDING_KINDS:
                self.fact(treaty, TG.endedHow, ENDING_KINDS[fact.how], fact.prov)
        elif isinstance(fact, PlaceFact):
            place = _minted(f"{self.base}place/{slug(fact.place)}")
            self.add(place, RDF.type, TG.Place)
            self.add(place, RDFS.label, text_literal(fact.place, "en"))
            self.fact(treaty, TG.signedAt, place, fact.prov)
        elif isinstance(fact, AgentFact):
            agent = self.entity(fact.name, fact.entity, fact.role)
            self.fact(treaty, TG.hasParty if fact.role == "party" else TG.hasSigner, agent, fact.prov, fact.name)
        elif isinstance(fact, LineageFact):
            earlier = self.treaty(fact.earlier)
            if earlier is not None and earlier != treaty:
                self.fact(treaty, TG.supersedes if fact.kind == "supersedes" else TG.basedOn, earlier, fact.prov)
        elif isinstance(fact, ViolationFact):
            self._violation(treaty, fact, resolutions)

    def _name(self, treaty: URIRef, fact: NameFact) -> None:
        node = self.resolution.treaty(self.article.path, fact.treaty)
        lang = fact.lang if fact.lang and fact.lang != "und" else None
        literal = text_literal(fact.name, lang)
        is_label = node is not None and fact.name == node.label
        self.fact(
            treaty,
            RDFS.label if is_label else SKOS.altLabel,
            text_literal(fact.name, "en") if is_label else literal,
            fact.prov,
        )
        self._treaty_key(treaty, fact.name)
        kind = _stated_kind(fact.name)
        if kind is not None:
            self.add(treaty, RDF.type, kind)

    def _treaty_key(self, treaty: URIRef, name: str) -> None:
        """The `tg:nameKey` of one of the treaty's labels or aliases (whatever its language), once per article:
        `treaty` finds the treaty by a name in any case through the index. A shared triple, like its labels:
        every article naming the treaty so writes it, and the build keeps one."""
        key = _label_key_literal(name)
        if (treaty, key) not in self.treaty_keys:
            self.treaty_keys.add((treaty, key))
            self.add(treaty, TG.nameKey, key)

    def _violation(self, treaty: URIRef, fact: ViolationFact, resolutions: dict[str, URIRef]) -> None:
        violator = self.entity(fact.violator, fact.violator_entity, "party")
        finder = resolutions.get(fact.determined_by) if fact.determined_by else None
        node = _minted(f"{self.base}violation/{digest(treaty, violator, finder or '')}")
        self.fact(treaty, TG.violatedBy, violator, fact.prov, fact.violator)
        self.add(node, RDF.type, TG.Violation)
        self.fact(node, TG.violatedTreaty, treaty, fact.prov)
        self.fact(node, TG.violator, violator, fact.prov, fact.violator)
        if finder is not None:
            self.fact(node, TG.determinedBy, finder, fact.prov)
        if fact.date:
            self.fact(node, TG.date, date_literal(fact.date), fact.prov)


def _unlinked_class(name: str, role: str) -> URIRef:
    if role == "signer":
        return TG.Person
    if role == "organ":
        return TG.Organ
    if re.search(r"\bGovernment\b", name):
        return TG.Government
    return TG.Party


def _stated_kind(name: str) -> URIRef | None:
    lowered = name.lower()
    for phrase, cls in TREATY_KINDS.items():
        if phrase in lowered:
            return cls
    return None


def _contradictions(article: ArticleFacts) -> set[tuple[str, str]]:
    """(treaty key, date kind) pairs for which the article gives two dates that cannot both be right."""
    values: dict[tuple[str, str], set[str]] = defaultdict(set)
    for fact in article.facts:
        if isinstance(fact, DateFact):
            values[(fact.treaty, fact.kind)].add(fact.value)
    return {
        slot
        for slot, found in values.items()
        if any(not (a.startswith(b) or b.startswith(a)) for a in found for b in found)
    }


# ================================================================ the whole graph


def bind_prefixes(graph: Graph, base: str) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    graph.bind("id", base, override=True)
    graph.bind("owl", OWL, override=True)
    return graph


DateValue = tuple[URIRef, URIRef, str]  # (treaty, date property, lexical value)


def prune_dates(triples: list[Triple]) -> list[Triple]:
    """Drop a date that only repeats, less precisely, another date of the same treaty and property
    ("1979" beside "1979-02-16"), with its record's link; the precise value keeps the evidence of both."""
    dates = ((s, p, str(o)) for s, p, o in triples if p in _DATE_PREDICATES and isinstance(o, Literal))
    return drop_redundant(triples, redundant_dates(dates))


def redundant_dates(dates: Iterable[DateValue]) -> set[DateValue]:
    """The (treaty, property, value) dates another date of the same treaty and property makes redundant."""
    precise: dict[tuple[URIRef, URIRef], set[str]] = defaultdict(set)
    for s, p, value in dates:
        precise[(s, p)].add(value)
    return {
        (s, p, v)
        for (s, p), values in precise.items()
        if len(values) > 1
        for v in values
        if any(w != v and w.startswith(v + "-") for w in values)
    }


def article_dates(article: ArticleFacts, resolution: Resolution) -> list[DateValue]:
    """The date triples `ArticleWriter` writes for this article, known before any triple is written."""
    found = []
    for fact in article.facts:
        if isinstance(fact, DateFact):
            node = resolution.treaty(article.path, fact.treaty)
            if node is not None:
                found.append((node.iri, DATE_PROPERTIES[fact.kind], str(date_literal(fact.value))))
    return found


def drop_redundant(triples: list[Triple], redundant: AbstractSet[DateValue]) -> list[Triple]:
    """`triples` without the redundant dates and the records of those dates (records live in their article)."""
    if not redundant:
        return triples
    mine = {(s, p, str(o)) for s, p, o in triples if p in _DATE_PREDICATES} & redundant
    if not mine:
        return triples
    dropped_records = _records_of(triples, mine)
    return [
        t
        for t in triples
        if t[0] not in dropped_records and not (t[1] in _DATE_PREDICATES and (t[0], t[1], str(t[2])) in mine)
    ]


_DATE_PREDICATES = frozenset(DATE_PROPERTIES.values())
_RECORD_PARTS = frozenset({RDF.subject, RDF.predicate, RDF.object})


def _records_of(triples: list[Triple], redundant: AbstractSet[DateValue]) -> set[URIRef]:
    parts: dict[URIRef, dict[URIRef, object]] = defaultdict(dict)
    for s, p, o in triples:
        if p in _RECORD_PARTS:
            parts[s][p] = o
    return {
        record
        for record, spo in parts.items()
        if (spo.get(RDF.subject), spo.get(RDF.predicate), str(spo.get(RDF.object))) in redundant
    }


def build_graph(
    articles: list[ArticleFacts], base: str = DEFAULT_BASE, gazetteer: Gazetteer | None = None
) -> tuple[Graph, dict[str, list[Triple]]]:
    """The asserted graph of all articles, and each article's own triples (keyed by article path)."""
    resolution = resolve(articles, base)
    gazetteer = gazetteer or default_gazetteer()
    per_article: dict[str, list[Triple]] = {}
    for article in articles:
        per_article[article.path] = ArticleWriter(article, resolution, gazetteer).write()
    everything = prune_dates([t for triples in per_article.values() for t in triples])
    kept = set(everything)
    per_article = {path: [t for t in triples if t in kept] for path, triples in per_article.items()}
    graph = bind_prefixes(Graph(), base)
    for triple in everything:
        graph.add(triple)
    return graph, per_article
