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

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache

import owlrl
from rdflib import BNode, Graph, Literal, Node
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from .ontology import load_ontology
from .types import TreatygraphError
from .vocab import PREFIXES

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


class Reasoner:
    """Per-article OWL RL closure against a pre-compiled ontology, plus the few cross-article rules."""

    def __init__(self, ontology: Graph | None = None) -> None:
        self.rules = _default_rules() if ontology is None else OntologyRules.from_ontology(ontology)

    def close_article(self, graph: Graph) -> set[Triple]:
        """Entailments of one article's facts + the ontology: not asserted, not in the ontology, not noise."""
        asserted = set(graph)
        _refuse_schema_in_facts(asserted)
        saturation = _Saturation(self.rules, contains=asserted.__contains__, about=_scan(asserted))
        saturation.index(asserted)
        saturation.run(asserted)
        return self._meaningful(saturation.new)

    def finish(self, merged_asserted: Graph, per_article_inferred: Graph) -> Graph:
        """All inferred triples of the corpus: the per-article ones plus what joins across articles adds
        (superseding chains that span articles, property chains, owl:sameAs), minus anything asserted."""
        graphs = (merged_asserted, per_article_inferred)
        _refuse_schema_in_facts(t for p in SCHEMA_PREDICATES for t in merged_asserted.triples((None, p, None)))
        seeds = [
            triple
            for predicate in self.rules.join_predicates
            for graph in graphs
            for triple in graph.triples((None, predicate, None))
        ]
        saturation = _Saturation(
            self.rules,
            contains=lambda triple: any(triple in graph for graph in graphs),
            about=_graph_lookup(graphs),
        )
        saturation.index(seeds)
        saturation.run(seeds)
        inferred = _bound_graph()
        for triple in per_article_inferred:
            if triple not in merged_asserted:
                inferred.add(triple)
        for triple in self._meaningful(saturation.new):
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
        return self.finish(merged, per_article)

    def _meaningful(self, triples: Iterable[Triple]) -> set[Triple]:
        closed, bnodes = self.rules.closed, self.rules.bnodes
        return {triple for triple in triples if triple not in closed and not is_noise(triple, bnodes)}


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


class _Saturation:
    """A worklist over facts: each triple is processed once; `new` collects what the rules add."""

    def __init__(
        self,
        rules: OntologyRules,
        contains: Callable[[Triple], bool],
        about: Callable[[Node], Iterator[Triple]],
    ) -> None:
        self.rules = rules
        self.contains = contains
        self.about = about  # the known triples mentioning a term (only needed for owl:sameAs)
        self.new: set[Triple] = set()
        self.queue: list[Triple] = []
        self.joins = rules.join_predicates
        self.outgoing: dict[tuple[Node, Node], set[Node]] = defaultdict(set)  # (p, s) -> objects
        self.incoming: dict[tuple[Node, Node], set[Node]] = defaultdict(set)  # (p, o) -> subjects
        self.aliases: dict[Node, set[Node]] = defaultdict(set)

    def index(self, triples: Iterable[Triple]) -> None:
        for subject, predicate, obj in triples:
            if predicate in self.joins:
                self.outgoing[(predicate, subject)].add(obj)
                self.incoming[(predicate, obj)].add(subject)

    def run(self, seeds: Iterable[Triple]) -> None:
        self.queue.extend(seeds)
        while self.queue:
            self._process(self.queue.pop())

    def _emit(self, triple: Triple) -> None:
        if triple in self.new or self.contains(triple):
            return
        self.new.add(triple)
        self.index((triple,))
        self.queue.append(triple)

    def _process(self, triple: Triple) -> None:
        subject, predicate, obj = triple
        if predicate == RDF.type:
            self._type_rules(subject, obj)
        else:
            self._property_rules(subject, predicate, obj)
        if self.aliases:
            self._replicate(triple)

    def _type_rules(self, subject: Node, cls: Node) -> None:
        rules = self.rules
        for super_class in rules.class_supers.get(cls, ()):
            self._emit((subject, RDF.type, super_class))
        for prop, value in rules.has_value.get(cls, ()):
            self._emit((subject, prop, value))

    def _property_rules(self, subject: Node, predicate: Node, obj: Node) -> None:
        rules = self.rules
        for super_property in rules.property_supers.get(predicate, ()):
            self._emit((subject, super_property, obj))
        for domain in rules.domains.get(predicate, ()):
            self._emit((subject, RDF.type, domain))
        for restriction in rules.value_classes.get((predicate, obj), ()):
            self._emit((subject, RDF.type, restriction))
        if isinstance(obj, Literal):
            return  # ranges, inverses and joins of literals only type the literal: noise
        for range_class in rules.ranges.get(predicate, ()):
            self._emit((obj, RDF.type, range_class))
        for inverse in rules.inverses.get(predicate, ()):
            self._emit((obj, inverse, subject))
        if predicate in rules.symmetric:
            self._emit((obj, predicate, subject))
        if predicate in self.joins:
            self._join_rules(subject, predicate, obj)

    def _join_rules(self, subject: Node, predicate: Node, obj: Node) -> None:
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
        if predicate == OWL.sameAs and subject != obj:
            self._equate(subject, obj)

    def _equate(self, term: Node, alias: Node) -> None:
        """eq-sym, eq-trans and eq-rep-*: `alias` may replace `term` in every triple, known or yet to come."""
        self._emit((alias, OWL.sameAs, term))
        if alias in self.aliases[term]:
            return
        self.aliases[term].add(alias)
        for triple in list(self.about(term)) + [t for t in self.new if term in t]:
            self._replicate_term(triple, term, alias)

    def _replicate(self, triple: Triple) -> None:
        for term in set(triple):
            for alias in list(self.aliases.get(term, ())):
                self._replicate_term(triple, term, alias)

    def _replicate_term(self, triple: Triple, term: Node, alias: Node) -> None:
        for position in range(3):
            if triple[position] == term:
                replaced = list(triple)
                replaced[position] = alias
                self._emit((replaced[0], replaced[1], replaced[2]))


def _scan(triples: set[Triple]) -> Callable[[Node], Iterator[Triple]]:
    def about(term: Node) -> Iterator[Triple]:
        return (triple for triple in list(triples) if term in triple)

    return about


def _graph_lookup(graphs: tuple[Graph, ...]) -> Callable[[Node], Iterator[Triple]]:
    def about(term: Node) -> Iterator[Triple]:
        for graph in graphs:
            yield from graph.triples((term, None, None))
            yield from graph.triples((None, term, None))
            yield from graph.triples((None, None, term))

    return about


# ---------------------------------------------------------------- compiling the ontology


@cache
def _default_rules() -> OntologyRules:
    return OntologyRules.from_ontology(load_ontology())


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


def _refuse_schema_in_facts(triples: Iterable[Triple]) -> None:
    for subject, predicate, obj in triples:
        if predicate in SCHEMA_PREDICATES:
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
            return f"{prefix}:{text[len(str(namespace)):]}"
    return f"<{text}>" if not isinstance(term, Literal) else repr(text)
