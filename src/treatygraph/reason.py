"""OWL 2 RL reasoning over the treaty graph, in time linear in the number of articles.

owlrl's full closure re-runs every rule over the whole graph until nothing changes, which grows badly with
graph size. This module gets the same entailments another way:

1. The ontology is closed once with owlrl (`OntologyRules`), and the closed ontology is compiled into lookup
   tables for the OWL RL rules that can fire on our facts: cax-sco / cax-eqc (super-classes), prp-spo1 /
   prp-eqp (super-properties), prp-dom, prp-rng, prp-inv, prp-symp, cls-hv1 / cls-hv2 (hasValue
   restrictions), prp-trp (transitive properties), prp-spo2 (two-step property chains) and the eq-* rules
   for owl:sameAs. An ontology using any other construct is refused, not silently half-reasoned.
2. `Reasoner.close_article` saturates one article's facts with those tables (a worklist; each triple is
   processed once), so its cost depends on the article, not on the corpus.
3. `Reasoner.finish` applies the rules that join two facts (transitive chains, property chains, sameAs) to
   the merged graph, starting only from the triples of those few predicates.

`naive_closure` is the reference: owlrl over ontology + facts. Both sides drop the same noise (see
`is_noise`), and tests check that they agree.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import owlrl
from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from . import __version__
from .atomic import atomic_writer
from .ontology import ONTOLOGY_FILE, load_ontology
from .types import TreatygraphError
from .vocab import PREFIXES, canonical

Triple = tuple[Node, Node, Node]

# Built-in vocabularies: the rule tables never describe their terms (owlrl's axioms about them say nothing
# about treaties), and facts must not use them as schema.
_META_NAMESPACES = (str(RDF), str(RDFS), str(OWL))

# Schema predicates that facts must not carry: the fast path compiles schema once, from the ontology.
SCHEMA_PREDICATES = frozenset(
    {
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
        OWL.equivalentClass,
        OWL.equivalentProperty,
        OWL.inverseOf,
        OWL.onProperty,
        OWL.hasValue,
        OWL.propertyChainAxiom,
    }
)

# Ontology constructs the fast path does not implement; an ontology using one of them is refused.
_UNSUPPORTED_PREDICATES = frozenset(
    {
        OWL.someValuesFrom,
        OWL.allValuesFrom,
        OWL.intersectionOf,
        OWL.unionOf,
        OWL.oneOf,
        OWL.complementOf,
        OWL.maxCardinality,
        OWL.maxQualifiedCardinality,
        OWL.cardinality,
        OWL.qualifiedCardinality,
        OWL.hasKey,
        OWL.sameAs,
    }
)
_UNSUPPORTED_TYPES = frozenset({OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.ReflexiveProperty})


def is_noise(triple: Triple, foreign_bnodes: AbstractSet[Node]) -> bool:
    """True for entailments that say nothing a user could query for, dropped from every inferred graph:

    - anything about a literal (owlrl types literals by their datatype and makes them owl:sameAs themselves);
    - `x owl:sameAs x` (owlrl's eq-ref, for every term);
    - `x rdf:type owl:Thing` and `x rdf:type rdfs:Resource`;
    - triples that mention a blank node that is not in the facts: the ontology's anonymous restriction
      classes (`x rdf:type [owl:hasValue ...]`) and owlrl's inconsistency messages.
    """
    subject, predicate, obj = triple
    if isinstance(subject, Literal):
        return True
    if predicate == OWL.sameAs and subject == obj:
        return True
    if predicate == RDF.type and obj in (OWL.Thing, RDFS.Resource):
        return True
    return any(isinstance(term, BNode) and term in foreign_bnodes for term in triple)


@dataclass(frozen=True)
class OntologyRules:
    """The closed ontology, compiled into the lookups the fast path needs (all sets are transitively closed)."""

    closed: frozenset[Triple]  # every triple of the owlrl closure of the ontology alone
    bnodes: frozenset[Node]  # blank nodes of the closed ontology (anonymous restrictions)
    class_supers: Mapping[Node, frozenset[Node]]  # class -> its strict super-classes
    has_value: Mapping[Node, tuple[tuple[Node, Node], ...]]  # restriction -> ((property, value), ...)
    value_classes: Mapping[tuple[Node, Node], frozenset[Node]]  # (property, value) -> restrictions
    property_supers: Mapping[Node, frozenset[Node]]  # property -> its strict super-properties
    domains: Mapping[Node, frozenset[Node]]
    ranges: Mapping[Node, frozenset[Node]]
    inverses: Mapping[Node, frozenset[Node]]  # both directions of every owl:inverseOf
    symmetric: frozenset[Node]
    transitive: frozenset[Node]
    chains: tuple[tuple[Node, Node, Node], ...]  # (first, second, implied): first o second -> implied

    @property
    def join_predicates(self) -> frozenset[Node]:
        """Predicates whose triples are joined with others (the only ones `finish` must revisit)."""
        chain_links = {link for first, second, _ in self.chains for link in (first, second)}
        return frozenset(self.transitive | chain_links | {OWL.sameAs})

    @classmethod
    def from_ontology(cls, ontology: Graph) -> OntologyRules:
        _refuse_unsupported(ontology)
        closed = _owlrl_closure(ontology)
        has_value = _has_value_restrictions(closed)
        value_classes: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
        for restriction, pairs in has_value.items():
            for pair in pairs:
                value_classes[pair].add(restriction)
        return cls(
            closed=frozenset(closed),
            bnodes=frozenset(term for triple in closed for term in triple if isinstance(term, BNode)),
            class_supers=_strict_supers(closed, RDFS.subClassOf, ignore={OWL.Thing, RDFS.Resource}),
            has_value=has_value,
            value_classes={pair: frozenset(classes) for pair, classes in value_classes.items()},
            property_supers=_strict_supers(closed, RDFS.subPropertyOf, ignore=set()),
            domains=_objects_by_subject(closed, RDFS.domain),
            ranges=_objects_by_subject(closed, RDFS.range),
            inverses=_inverse_pairs(closed),
            symmetric=_typed(closed, OWL.SymmetricProperty),
            transitive=_typed(closed, OWL.TransitiveProperty),
            chains=_property_chains(closed),
        )


class TripleIndex:
    """The few rdflib Graph operations `Reasoner.finish` uses, on a set with one index per position: the
    cross-article seeds of a 100k-article build are 200k triples, and rdflib's Memory store costs ~30 µs
    to add one."""

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self.all: set[Triple] = set()
        self.by_position: tuple[dict[Node, set[Triple]], ...] = ({}, {}, {})
        for triple in triples:
            self.add(triple)

    def add(self, triple: Triple) -> None:
        if triple not in self.all:
            self.all.add(triple)
            for position, index in enumerate(self.by_position):
                index.setdefault(triple[position], set()).add(triple)

    def remove(self, triple: Triple) -> None:
        if triple in self.all:
            self.all.discard(triple)
            for position, index in enumerate(self.by_position):
                index[triple[position]].discard(triple)

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> Iterator[Triple]:
        """Triples matching a pattern with at most one bound position (all the reasoner asks)."""
        bound = [(position, term) for position, term in enumerate(pattern) if term is not None]
        if not bound:
            return iter(list(self.all))
        if len(bound) > 1:
            raise ValueError("TripleIndex answers patterns with one bound position")
        position, term = bound[0]
        return iter(list(self.by_position[position].get(term, ())))

    def __contains__(self, triple: object) -> bool:
        return triple in self.all

    def __iter__(self) -> Iterator[Triple]:
        return iter(list(self.all))

    def __len__(self) -> int:
        return len(self.all)


FactGraph = Graph | TripleIndex  # what `Reasoner.finish` reads and completes


class Reasoner:
    """Per-article OWL RL closure against a pre-compiled ontology, plus the few cross-article rules."""

    def __init__(self, ontology: Graph | None = None, rules: OntologyRules | None = None) -> None:
        if rules is None:
            rules = _default_rules() if ontology is None else OntologyRules.from_ontology(ontology)
        self.rules = rules
        self.terms = _Terms()  # the ontology's terms; each job works on a fork
        self.compiled = _CompiledRules(self.rules, self.terms)
        self.terms.use_canonical()

    def close_article(self, graph: Graph) -> set[Triple]:
        """Entailments of one article's facts + the ontology: not asserted, not in the ontology, not noise."""
        terms = self.terms.fork()
        asserted = [terms.triple(triple) for triple in graph]
        _refuse_schema_in_facts(self.compiled, terms, asserted)
        saturation = _Saturation(self.compiled, terms, seen=set(asserted))
        saturation.index(asserted)
        saturation.run(asserted)
        return self._meaningful(saturation.new, terms)

    def finish(self, merged_asserted: FactGraph, per_article_inferred: FactGraph) -> FactGraph:
        """All inferred triples of the corpus: the per-article ones plus what joins across articles adds
        (superseding chains that span articles, property chains, owl:sameAs), minus anything asserted.

        Completes `per_article_inferred` in place and returns it: copying a million-triple rdflib graph
        would cost more than the reasoning. Both are rdflib Graphs or TripleIndexes."""
        graphs = (merged_asserted, per_article_inferred)
        terms = self.terms.fork()
        schema = (t for p in SCHEMA_PREDICATES for t in merged_asserted.triples((None, p, None)))
        _refuse_schema_in_facts(self.compiled, terms, [terms.triple(triple) for triple in schema])
        seeds = [
            terms.triple(triple)
            for predicate in self.rules.join_predicates
            for graph in graphs
            for triple in graph.triples((None, predicate, None))
        ]
        node = terms.node_triple
        saturation = _Saturation(
            self.compiled,
            terms,
            seen=set(seeds),
            known_elsewhere=lambda triple: any(node(triple) in graph for graph in graphs),
            about_elsewhere=_graph_lookup(graphs, terms),
        )
        saturation.index(seeds)
        saturation.run(seeds)
        inferred = per_article_inferred
        for triple in [triple for triple in inferred if triple in merged_asserted]:
            inferred.remove(triple)
        for triple in self._meaningful(saturation.new, terms):
            inferred.add(triple)
        return inferred

    def closure(self, article_graphs: Iterable[Graph]) -> Graph:
        """Convenience for callers holding one graph per article: close each, merge, finish."""
        merged = _bound_graph()
        per_article = _bound_graph()
        for graph in article_graphs:
            for triple in graph:
                merged.add(triple)
            for triple in self.close_article(graph):
                per_article.add(triple)
        self.finish(merged, per_article)  # completes per_article in place
        return per_article

    def _meaningful(self, triples: Iterable[IdTriple], terms: _Terms) -> set[Triple]:
        keep = self.compiled.meaningful
        return {terms.node_triple(triple) for triple in triples if keep(triple, terms)}


def naive_closure(asserted: Graph, ontology: Graph | None = None) -> Graph:
    """owlrl's OWL RL closure of ontology + asserted, minus the asserted facts, the closed ontology and noise."""
    rules = _default_rules() if ontology is None else OntologyRules.from_ontology(ontology)
    work = Graph()
    for triple in rules.closed:
        work.add(triple)
    for triple in asserted:
        work.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(work)
    asserted_bnodes = {term for triple in asserted for term in triple if isinstance(term, BNode)}
    foreign = {term for triple in work for term in triple if isinstance(term, BNode)} - asserted_bnodes
    inferred = _bound_graph()
    for triple in work:
        if triple not in asserted and triple not in rules.closed and not is_noise(triple, foreign):
            inferred.add(triple)
    return inferred


# ---------------------------------------------------------------- the fast path

IdTriple = tuple[int, int, int]


class _Terms:
    """Interns RDF terms as small integers: hashing and comparing ints is far cheaper than rdflib terms,
    whose equality and (for literals) hashing run in Python."""

    def __init__(self) -> None:
        self.ids: dict[Node, int] = {}
        self.nodes: list[Node] = []
        self.is_literal: list[bool] = []

    def id(self, term: Node) -> int:
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.nodes)
            self.nodes.append(term)
            self.is_literal.append(isinstance(term, Literal))
        return found

    def triple(self, triple: Triple) -> IdTriple:
        ids = self.ids
        subject, predicate, obj = triple
        s, p, o = ids.get(subject), ids.get(predicate), ids.get(obj)
        return (
            self.id(subject) if s is None else s,
            self.id(predicate) if p is None else p,
            self.id(obj) if o is None else o,
        )

    def use_canonical(self) -> None:
        """Hold the vocabulary's shared IRI objects (vocab.canonical) instead of equal ones: the writer's
        triples then find their terms here by identity, without calling rdflib's equality (Python)."""
        self.nodes = [canonical(node) if type(node) is URIRef else node for node in self.nodes]
        self.ids = {node: number for number, node in enumerate(self.nodes)}

    def fork(self) -> _Terms:
        """A copy for one job: ids of the ontology's terms stay valid, the job's own terms are dropped with it
        (so memory does not grow with the corpus)."""
        copy = _Terms()
        copy.ids = dict(self.ids)
        copy.nodes = list(self.nodes)
        copy.is_literal = list(self.is_literal)
        return copy

    def node_triple(self, triple: IdTriple) -> Triple:
        nodes = self.nodes
        return nodes[triple[0]], nodes[triple[1]], nodes[triple[2]]


@dataclass(frozen=True)
class _PredicateRules:
    """Everything one fact's predicate entails, so each fact costs one dictionary lookup."""

    supers: tuple[int, ...]  # (s p o) -> (s q o)
    domains: tuple[int, ...]  # (s p o) -> (s type d)
    ranges: tuple[int, ...]  # (s p o) -> (o type r), o not a literal
    inverses: tuple[int, ...]  # (s p o) -> (o q s), o not a literal
    symmetric: bool
    joins: bool  # transitive, a link of a property chain, or owl:sameAs


class _CompiledRules:
    """OntologyRules over interned ids."""

    def __init__(self, rules: OntologyRules, terms: _Terms) -> None:
        tid = terms.id
        self.type = tid(RDF.type)
        self.same_as = tid(OWL.sameAs)
        joins = rules.join_predicates
        predicates = (
            (set(rules.property_supers) | set(rules.domains) | set(rules.ranges) | set(rules.inverses))
            | rules.symmetric
            | joins
        )
        self.predicates = {
            tid(p): _PredicateRules(
                supers=tuple(tid(q) for q in sorted(rules.property_supers.get(p, ()), key=str)),
                domains=tuple(tid(c) for c in sorted(rules.domains.get(p, ()), key=str)),
                ranges=tuple(tid(c) for c in sorted(rules.ranges.get(p, ()), key=str)),
                inverses=tuple(tid(q) for q in sorted(rules.inverses.get(p, ()), key=str)),
                symmetric=p in rules.symmetric,
                joins=p in joins,
            )
            for p in predicates
        }
        # rdf:type facts: class -> (predicate, object) pairs its instances get (super-classes, hasValue)
        self.classes: dict[int, tuple[tuple[int, int], ...]] = {}
        for cls in set(rules.class_supers) | set(rules.has_value):
            pairs = [(self.type, tid(sup)) for sup in sorted(rules.class_supers.get(cls, ()), key=str)]
            pairs += [(tid(p), tid(v)) for p, v in rules.has_value.get(cls, ())]
            self.classes[tid(cls)] = tuple(pairs)
        self.value_classes = {
            (tid(p), tid(v)): tuple(tid(c) for c in classes) for (p, v), classes in rules.value_classes.items()
        }
        self.transitive = frozenset(tid(p) for p in rules.transitive)
        self.chains = tuple((tid(a), tid(b), tid(c)) for a, b, c in rules.chains)
        self.closed = frozenset(terms.triple(triple) for triple in rules.closed)
        self.foreign = frozenset(tid(node) for node in rules.bnodes)
        self.meaningless_types = frozenset({tid(OWL.Thing), tid(RDFS.Resource)})
        self.schema = frozenset(tid(p) for p in SCHEMA_PREDICATES)

    def meaningful(self, triple: IdTriple, terms: _Terms) -> bool:
        """`is_noise` and the closed ontology, over ids (the same rules: tests compare with naive_closure)."""
        subject, predicate, obj = triple
        if triple in self.closed or terms.is_literal[subject]:
            return False
        if predicate == self.same_as and subject == obj:
            return False
        if predicate == self.type and obj in self.meaningless_types:
            return False
        foreign = self.foreign
        return not (subject in foreign or predicate in foreign or obj in foreign)


class _Saturation:
    """A worklist over facts: each triple is processed once; `new` collects what the rules add."""

    def __init__(
        self,
        rules: _CompiledRules,
        terms: _Terms,
        seen: set[IdTriple],
        known_elsewhere: Callable[[IdTriple], bool] | None = None,
        about_elsewhere: Callable[[int], Iterator[IdTriple]] | None = None,
    ) -> None:
        self.rules = rules
        self.terms = terms
        self.seen = seen  # every triple known so far: asserted, added, or found to be known elsewhere
        self.known_elsewhere = known_elsewhere
        self.about_elsewhere = about_elsewhere  # known triples mentioning a term (only needed for owl:sameAs)
        self.new: list[IdTriple] = []
        self.queue: list[IdTriple] = []
        self.outgoing: dict[tuple[int, int], set[int]] = defaultdict(set)  # (p, s) -> objects, join predicates
        self.incoming: dict[tuple[int, int], set[int]] = defaultdict(set)  # (p, o) -> subjects, join predicates
        self.aliases: dict[int, set[int]] = defaultdict(set)

    def index(self, triples: Iterable[IdTriple]) -> None:
        predicates = self.rules.predicates
        for subject, predicate, obj in triples:
            found = predicates.get(predicate)
            if found is not None and found.joins:
                self.outgoing[(predicate, subject)].add(obj)
                self.incoming[(predicate, obj)].add(subject)

    def run(self, seeds: Iterable[IdTriple]) -> None:
        self.queue.extend(seeds)
        while self.queue:
            self._process(self.queue.pop())

    def _emit(self, triple: IdTriple) -> None:
        if triple in self.seen:
            return
        self.seen.add(triple)
        if self.known_elsewhere is not None and self.known_elsewhere(triple):
            return
        self.new.append(triple)
        self.index((triple,))
        self.queue.append(triple)

    def _process(self, triple: IdTriple) -> None:
        subject, predicate, obj = triple
        rules = self.rules
        emit = self._emit
        if predicate == rules.type:
            for prop, value in rules.classes.get(obj, ()):
                emit((subject, prop, value))
        else:
            for cls in rules.value_classes.get((predicate, obj), ()):
                emit((subject, rules.type, cls))
            found = rules.predicates.get(predicate)
            if found is not None:
                self._property_rules(subject, predicate, obj, found)
        if self.aliases:
            self._replicate(triple)

    def _property_rules(self, subject: int, predicate: int, obj: int, found: _PredicateRules) -> None:
        emit, type_ = self._emit, self.rules.type
        for super_property in found.supers:
            emit((subject, super_property, obj))
        for domain in found.domains:
            emit((subject, type_, domain))
        if self.terms.is_literal[obj]:
            return  # ranges, inverses and joins of literals only type the literal: noise
        for range_class in found.ranges:
            emit((obj, type_, range_class))
        for inverse in found.inverses:
            emit((obj, inverse, subject))
        if found.symmetric:
            emit((obj, predicate, subject))
        if found.joins:
            self._join_rules(subject, predicate, obj)

    def _join_rules(self, subject: int, predicate: int, obj: int) -> None:
        if predicate in self.rules.transitive:
            for later in list(self.outgoing[(predicate, obj)]):
                self._emit((subject, predicate, later))
            for earlier in list(self.incoming[(predicate, subject)]):
                self._emit((earlier, predicate, obj))
        for first, second, implied in self.rules.chains:
            if predicate == first:
                for end in list(self.outgoing[(second, obj)]):
                    self._emit((subject, implied, end))
            if predicate == second:
                for start in list(self.incoming[(first, subject)]):
                    self._emit((start, implied, obj))
        if predicate == self.rules.same_as and subject != obj:
            self._equate(subject, obj)

    def _equate(self, term: int, alias: int) -> None:
        """eq-sym, eq-trans and eq-rep-*: `alias` may replace `term` in every triple, known or yet to come."""
        self._emit((alias, self.rules.same_as, term))
        if alias in self.aliases[term]:
            return
        self.aliases[term].add(alias)
        known = [triple for triple in self.seen if term in triple]
        if self.about_elsewhere is not None:
            known += list(self.about_elsewhere(term))
        for triple in known:
            self._replicate_term(triple, term, alias)

    def _replicate(self, triple: IdTriple) -> None:
        for term in set(triple):
            for alias in list(self.aliases.get(term, ())):
                self._replicate_term(triple, term, alias)

    def _replicate_term(self, triple: IdTriple, term: int, alias: int) -> None:
        for position in range(3):
            if triple[position] == term:
                replaced = list(triple)
                replaced[position] = alias
                self._emit((replaced[0], replaced[1], replaced[2]))


def _graph_lookup(graphs: tuple[FactGraph, ...], terms: _Terms) -> Callable[[int], Iterator[IdTriple]]:
    def about(term_id: int) -> Iterator[IdTriple]:
        term = terms.nodes[term_id]
        for graph in graphs:
            for pattern in ((term, None, None), (None, term, None), (None, None, term)):
                for triple in graph.triples(pattern):
                    yield terms.triple(triple)

    return about


# ---------------------------------------------------------------- compiling the ontology


@cache
def _default_rules() -> OntologyRules:
    return OntologyRules.from_ontology(load_ontology())


RULES_FORMAT = "1"  # bump when OntologyRules changes shape: saved rules of another format are recomputed


def saved_rules(folder: Path) -> OntologyRules:
    """The default ontology's rules, read from `folder` when a run saved them for the same ontology file and
    versions, else compiled and saved there: owlrl's closure of the ontology costs every build about 0.4 s,
    most of a small incremental build. An unreadable or stale file is ignored (compiled again)."""
    versions = f"{RULES_FORMAT}|{__version__}|{owlrl.__version__}|".encode()
    key = hashlib.sha256(versions + ONTOLOGY_FILE.read_bytes()).hexdigest()[:16]
    path = folder / f"rules-{key}.pkl"
    try:
        rules = pickle.loads(path.read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, TypeError):
        rules = None
    if isinstance(rules, OntologyRules):
        return rules
    rules = _default_rules()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("rules-*.pkl"):
            stale.unlink(missing_ok=True)
        with atomic_writer(path, binary=True, durable=False) as handle:
            pickle.dump(rules, handle, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        pass  # a read-only cache: compiled again next time
    return rules


def _owlrl_closure(ontology: Graph) -> Graph:
    closed = Graph()
    for triple in ontology:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    return closed


def _refuse_unsupported(ontology: Graph) -> None:
    used = {p for p in _UNSUPPORTED_PREDICATES if next(ontology.triples((None, p, None)), None) is not None}
    used |= {t for t in _UNSUPPORTED_TYPES if next(ontology.triples((None, RDF.type, t)), None) is not None}
    for chain_list in ontology.objects(None, OWL.propertyChainAxiom):
        if len(list(Collection(ontology, chain_list))) != 2:
            used.add(OWL.propertyChainAxiom)
    if used:
        names = ", ".join(sorted(_short(term) for term in used))
        raise TreatygraphError(f"the ontology uses {names}, which the fast reasoner does not implement")


def _refuse_schema_in_facts(rules: _CompiledRules, terms: _Terms, triples: Iterable[IdTriple]) -> None:
    for triple in triples:
        if triple[1] in rules.schema:
            subject, predicate, obj = terms.node_triple(triple)
            raise TreatygraphError(
                f"facts must not carry schema axioms ({_short(subject)} {_short(predicate)} {_short(obj)}): "
                "put them in ontology/treatygraph.ttl"
            )


def _is_meta(term: Node) -> bool:
    return str(term).startswith(_META_NAMESPACES)


def _strict_supers(closed: Graph, relation: Node, ignore: set[Node]) -> dict[Node, frozenset[Node]]:
    supers: dict[Node, set[Node]] = defaultdict(set)
    for sub, sup in closed.subject_objects(relation):
        if sub != sup and not _is_meta(sub) and sup not in ignore:
            supers[sub].add(sup)
    return {term: frozenset(found) for term, found in supers.items()}


def _objects_by_subject(closed: Graph, relation: Node) -> dict[Node, frozenset[Node]]:
    found: dict[Node, set[Node]] = defaultdict(set)
    for subject, obj in closed.subject_objects(relation):
        if not _is_meta(subject) and obj not in (OWL.Thing, RDFS.Resource):
            found[subject].add(obj)
    return {term: frozenset(values) for term, values in found.items()}


def _inverse_pairs(closed: Graph) -> dict[Node, frozenset[Node]]:
    found: dict[Node, set[Node]] = defaultdict(set)
    for first, second in closed.subject_objects(OWL.inverseOf):
        found[first].add(second)
        found[second].add(first)
    return {term: frozenset(values) for term, values in found.items()}


def _typed(closed: Graph, cls: Node) -> frozenset[Node]:
    return frozenset(term for term in closed.subjects(RDF.type, cls) if not _is_meta(term))


def _has_value_restrictions(closed: Graph) -> dict[Node, tuple[tuple[Node, Node], ...]]:
    found: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
    for restriction, value in closed.subject_objects(OWL.hasValue):
        for prop in closed.objects(restriction, OWL.onProperty):
            found[restriction].append((prop, value))
    return {restriction: tuple(pairs) for restriction, pairs in found.items()}


def _property_chains(closed: Graph) -> tuple[tuple[Node, Node, Node], ...]:
    chains = []
    for implied, chain_list in closed.subject_objects(OWL.propertyChainAxiom):
        first, second = list(Collection(closed, chain_list))
        chains.append((first, second, implied))
    return tuple(sorted(chains))


def _bound_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def _short(term: Node) -> str:
    text = str(term)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(str(namespace)):
            return f"{prefix}:{text[len(str(namespace)) :]}"
    return f"<{text}>" if not isinstance(term, Literal) else repr(text)
