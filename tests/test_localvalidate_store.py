"""Validation on the store at scale: findings traced in batches through the store view give what `validate`'s
tracer gives on the whole graph, and the sh:sparql constraints rewritten as hash joins keep their patterns."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, Namespace, Node, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from treatygraph.fastvalidate import _leading_triples, hash_joined, not_exists_as_minus, to_ox, to_rdflib, trace_all
from treatygraph.validate import _Finding, _shapes, _Tracer
from treatygraph.vocab import OA, TG

ID = Namespace("https://w3id.org/treatygraph/id/")
Triple = tuple[Node, Node, Node]

# ---------------------------------------------------------------- the rewrite


@pytest.mark.parametrize(
    ("body", "triples", "rest"),
    [
        (
            "?this tg:a ?x ; tg:b ?y , ?z . BIND(1 AS ?n) }",
            [("?this", "tg:a", "?x"), ("?this", "tg:b", "?y"), ("?this", "tg:b", "?z")],
            " BIND(1 AS ?n) }",
        ),
        (
            "$this a tg:T . ?x <http://e.org/p> ?this . FILTER(?x) }",
            [("$this", "a", "tg:T"), ("?x", "<http://e.org/p>", "?this")],
            " FILTER(?x) }",
        ),
        ("?this tg:a ?x . ?x tg:b* ?this . }", [("?this", "tg:a", "?x")], " ?x tg:b* ?this . }"),  # a path stops
        ('?this tg:a "1" . }', [], '?this tg:a "1" . }'),  # a literal stops
        ("?this tg:a ?x BIND(1 AS ?n) }", [], "?this tg:a ?x BIND(1 AS ?n) }"),  # no closing '.'
        ("?this tg:a tg:b.c . }", [], "?this tg:a tg:b.c . }"),  # a dot inside a name is not an end
    ],
)
def test_leading_triples(body: str, triples: list[tuple[str, str, str]], rest: str) -> None:
    assert _leading_triples(body) == (triples, rest)


def test_shared_constraints_rewritten_only_where_this_has_a_fixed_predicate() -> None:
    rewritten = {c.message: hash_joined(not_exists_as_minus(c.query)) for c in _shapes().constraints}
    assert all(text is None or "{ SELECT * WHERE {" in text for text in rewritten.values())
    assert all(text is not None for message, text in rewritten.items() if message.startswith("The treaty cannot"))
    assert [text for message, text in rewritten.items() if message.startswith("No sentence backs this fact")] == [
        None  # `?this ?path ?value`: the whole graph without its targets
    ]


# ---------------------------------------------------------------- tracing through the store view

NODES = {
    "treaty": [ID[f"treaty/t{i}"] for i in range(3)],
    "record": [ID[f"fact/r{i}"] for i in range(6)],
    "evidence": [ID[f"evidence/e{i}"] for i in range(4)],
    "article": [ID[f"article/a{i}"] for i in range(2)],
}
PREDICATES = [TG.signedOn, TG.hasParty, RDFS.label, SKOS.prefLabel, TG.endedOn]
OBJECTS: list[Node] = [
    Literal("1945-08-14", datatype=XSD.date),
    Literal("1950", datatype=XSD.gYear),
    Literal("Treaty of X", lang="en"),
    Literal("Pact"),
    ID["entity/Q1"],
    ID["entity/Q2"],
]


@st.composite
def article_graphs(draw: st.DrawFn) -> list[Triple]:
    """Treaties with facts, fact records (some without a predicate, an object or evidence, some about the same
    fact), evidence with one position and one quote (or none), articles with a path; labels on entities."""
    triples: list[Triple] = []
    for treaty in NODES["treaty"]:
        triples.append((treaty, RDF.type, TG.Treaty))
        triples += [
            (treaty, p, o)
            for p, o in draw(st.lists(st.tuples(st.sampled_from(PREDICATES), st.sampled_from(OBJECTS)), max_size=4))
        ]
    for record in NODES["record"]:
        triples.append((record, RDF.subject, draw(st.sampled_from(NODES["treaty"]))))
        triples += [(record, RDF.predicate, p) for p in draw(st.lists(st.sampled_from(PREDICATES), max_size=2))]
        triples += [(record, RDF.object, o) for o in draw(st.lists(st.sampled_from(OBJECTS), max_size=1))]
        triples += [(record, TG.evidence, e) for e in draw(st.sets(st.sampled_from(NODES["evidence"]), max_size=2))]
    for evidence in NODES["evidence"]:
        triples.append((evidence, RDF.type, TG.Evidence))
        if draw(st.booleans()):
            triples.append((evidence, OA.hasSource, draw(st.sampled_from(NODES["article"]))))
        if draw(st.booleans()):
            position, quote = URIRef(f"{evidence}#position"), URIRef(f"{evidence}#quote")
            start = draw(st.integers(0, 50))
            triples += [(evidence, OA.hasSelector, position), (evidence, OA.hasSelector, quote)]
            triples += [(position, OA.start, Literal(start)), (position, OA.end, Literal(start + 5))]
            triples.append((quote, OA.exact, Literal(draw(st.sampled_from(["signed", "in force"])))))
    for article in NODES["article"]:
        triples += [(article, RDF.type, TG.Article), (article, TG.sourcePath, Literal(f"{article[-2:]}.txt"))]
    triples += [
        (ID["entity/Q1"], RDFS.label, Literal("One")),
        (ID["entity/Q2"], SKOS.prefLabel, Literal("Two", lang="fr")),
    ]
    return triples


def findings_about(triples: list[Triple]) -> st.SearchStrategy[list[_Finding]]:
    nodes = sorted({s for s, _, _ in triples} | set(NODES["treaty"]), key=str)
    finding = st.builds(
        _Finding,
        severity=st.just("Violation"),
        message=st.just("m"),
        focus=st.sampled_from(nodes),
        path=st.one_of(st.none(), st.sampled_from(PREDICATES)),
        value=st.one_of(st.none(), st.sampled_from(OBJECTS)),
    )
    return st.lists(finding, max_size=12)


def store_of(triples: list[Triple], graphs: list[int]) -> ox.Store:
    """Each triple in the default graph, or in one or two named graphs (read as their union)."""
    store = ox.Store()
    for (s, p, o), where in zip(triples, graphs, strict=False):
        names = [ox.DefaultGraph()] if where == 0 else [ox.NamedNode(f"urn:g{g}") for g in range(where)]
        store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for name in names)
    return store


@settings(max_examples=60, deadline=None)
@given(triples=article_graphs(), data=st.data())
def test_batched_tracing_equals_the_tracer_on_the_graph(triples: list[Triple], data: st.DataObject) -> None:
    findings = data.draw(findings_about(triples))
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    expected = {_Tracer(graph).result(finding) for finding in findings}
    assert trace_all(store_of(triples, [0] * len(triples)), findings) == expected
    graphs = data.draw(st.lists(st.integers(1, 2), min_size=len(triples), max_size=len(triples)))
    assert trace_all(store_of(triples, graphs), findings, union=True) == expected


def test_blank_nodes_are_traced_by_pattern_lookups() -> None:
    """A blank node cannot stand in a VALUES block: the view looks it up alone."""
    evidence, position = BNode(), BNode()
    record, treaty = ID["fact/r"], ID["treaty/t"]
    triples: list[Triple] = [
        (record, RDF.subject, treaty),
        (record, RDF.predicate, TG.signedOn),
        (record, RDF.object, Literal("1945")),
        (record, TG.evidence, evidence),
        (evidence, OA.hasSelector, position),
        (evidence, OA.hasSource, ID["article/a"]),
        (position, OA.start, Literal(3)),
        (position, OA.end, Literal(9)),
        (ID["article/a"], TG.sourcePath, Literal("a.txt")),
    ]
    store = store_of(triples, [0] * len(triples))
    graph = Graph()
    for quad in store:  # the store's own blank nodes
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    stored_position = next(o for s, p, o in graph if p == OA.hasSelector)
    findings = [
        _Finding("Violation", "m", treaty, TG.signedOn, Literal("1945")),
        _Finding("Violation", "m", stored_position, OA.start, None),
    ]
    [first, second] = sorted(trace_all(store, findings), key=lambda result: result.focus)
    assert {first, second} == {_Tracer(graph).result(finding) for finding in findings}
    assert (first.article, first.begin, first.end) == ("a.txt", 3, 9)
