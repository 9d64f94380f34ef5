"""The sh:sparql constraints compiled to Python (localvalidate._Codegen) give what rdflib's SPARQL engine gives
with $this bound, as pyshacl runs them: on random small graphs for queries that use every kind of step the
compiler writes, and, through the whole split validation, on built articles broken at random."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, Namespace, Node, URIRef
from rdflib.namespace import RDF, XSD
from test_localvalidate import Articles, Triple, built_articles, graph_of, split_report  # noqa: F401 - fixture

from treatygraph import localvalidate as lv
from treatygraph.fastvalidate import UnsupportedShapes
from treatygraph.validate import _SparqlConstraint, validate

EX = Namespace("http://example.org/")
PREFIX = "PREFIX ex: <http://example.org/>\n"

# Each query uses a kind of step: a BIND's variable in a later pattern, a variable repeated in a pattern, a
# variable predicate, FILTERs on one and on two variables, arithmetic and string functions with their
# errors, IF, NOT EXISTS as a set and as a lookup, DISTINCT, a FILTER whose NOT EXISTS needs later patterns.
QUERIES = [
    "SELECT $this ?x ?y WHERE { $this ex:p ?x . BIND(?x AS ?z) ?z ex:q ?y }",
    "SELECT $this ?x WHERE { $this ex:p ?x . ?x ex:p ?x }",
    "SELECT $this ?pp ?x WHERE { $this ex:p ?x . $this ?pp ?x }",
    "SELECT $this ?x ?y WHERE { $this ex:p ?x ; ex:q ?y . FILTER(?x < ?y || STRLEN(STR(?x)) > 3) }",
    'SELECT $this ?x WHERE { $this ex:p ?x . FILTER(STRSTARTS(STR(?x), "1") && !(STRLEN(STR(?x)) > 8)) }',
    "SELECT $this ?x ?w WHERE { $this ex:p ?x . BIND(?x + 1 AS ?z) BIND(?z * 2 AS ?w) FILTER(?w > 4) }",
    "SELECT $this ?x ?s WHERE { $this ex:q ?x . "
    "BIND(IF(STRLEN(STR(?x)) < 3, STR(?x), SUBSTR(STR(?x), 2, 2)) AS ?s) FILTER(?s != 'a') }",
    "SELECT $this ?x WHERE { $this ex:p ?x . FILTER NOT EXISTS { ?y ex:q ?x ; ex:r ?z } }",
    "SELECT $this ?x WHERE { $this ex:p ?x . FILTER NOT EXISTS { $this ex:q ?x } }",
    "SELECT DISTINCT $this ?x WHERE { $this ex:p ?x . ?x ex:p ?y }",
    "SELECT $this ?x ?y WHERE { $this ex:p ?x . FILTER NOT EXISTS { ?x ex:q ?y } ?x ex:r ?y }",
    "SELECT $this ?y WHERE { ?y ex:r $this . FILTER(?y != $this) }",
    "SELECT $this ?x ?n WHERE { $this ex:p ?x . BIND(STRLEN(STR(?x)) - 2 AS ?n) FILTER(?n >= 0 && ?n < 5) }",
    "SELECT $this ?x ?y WHERE { $this ex:p ?x ; ex:q ?y . FILTER(?x = ?y || ?x >= ?y) }",
    "SELECT $this ?x ?y WHERE { $this ex:p ?x ; ex:r ?y . FILTER(?x != ?y && !(?x <= ?y)) }",
]

NODES = [EX[f"n{i}"] for i in range(5)]
VALUES: list[Node] = [
    *NODES,
    Literal(1),
    Literal(2),
    Literal(-3),
    Literal("2.5", datatype=XSD.decimal),
    Literal("1"),
    Literal("abc"),
    Literal("12345678901"),
    Literal("abc", lang="en"),
    Literal("1945-08-14", datatype=XSD.date),
    Literal("1945-13-45", datatype=XSD.date),  # ill-typed
    Literal("1945", datatype=XSD.gYear),
    Literal(0.5),
    Literal("abc", datatype=EX.code),  # not an XSD datatype
    Literal(True),
]
triples_strategy = st.lists(
    st.tuples(st.sampled_from(NODES), st.sampled_from([EX.p, EX.q, EX.r]), st.sampled_from(VALUES)),
    max_size=25,
)


def compiled(query: str) -> lv._CompiledConstraint:
    constraint = _SparqlConstraint(frozenset({EX.C}), PREFIX + query.replace("$this", "?this"), "m", "Violation")
    return lv._CompiledConstraint.compile(constraint, frozenset({EX.C}), settled_here=True)


Rows = Counter[frozenset[tuple[str, str, bool]]]


def as_read(name: str, value: Node) -> tuple[str, str, bool]:
    """A binding as a result reads it (messages and values are text; a path is an IRI). Terms are compared as
    text: rdflib types a product of integers as a decimal, SPARQL (and the helpers) as an integer."""
    return name, str(value), isinstance(value, URIRef)


def rows_by_rdflib(graph: Graph, query: str, focus: Node) -> Rows:
    """pyshacl's way: the query with $this bound to the focus node."""
    result = graph.query(PREFIX + query, initBindings={"this": focus})
    return Counter(
        frozenset(as_read(str(name), value) for name, value in row.asdict().items())  # type: ignore[union-attr]
        for row in result
    )


def rows_compiled(constraint: lv._CompiledConstraint, triples: list[Triple], focus: Node) -> Rows:
    index = lv._Index(triples)
    rows = constraint.run(index, [focus])
    if constraint.distinct:
        rows = lv._distinct(rows)
    return Counter(frozenset(as_read(name, lv._term(value)) for name, value in row.items()) for _, row in rows)


@pytest.mark.parametrize("query", QUERIES)
def test_every_query_compiles(query: str) -> None:
    assert "def run(ix, foci):" in compiled(query).source


@settings(max_examples=60, deadline=None)
@given(triples=triples_strategy, data=st.data())
def test_compiled_constraints_give_rdflib_rows(triples: list[Triple], data: st.DataObject) -> None:
    query = data.draw(st.sampled_from(QUERIES))
    focus = data.draw(st.sampled_from(NODES))
    unique = list(dict.fromkeys([*triples, (focus, RDF.type, EX.C)]))
    graph = Graph()
    for triple in unique:
        graph.add(triple)
    assert rows_compiled(compiled(query), unique, focus) == rows_by_rdflib(graph, query, focus)


def test_unsupported_patterns_are_refused() -> None:
    for query in (
        "SELECT $this ?x WHERE { $this ex:p* ?x }",
        "SELECT $this ?x WHERE { $this ex:p ?x OPTIONAL { ?x ex:q ?y } }",
        "SELECT $this (COUNT(?x) AS ?n) WHERE { $this ex:p ?x } GROUP BY $this",
    ):
        with pytest.raises(UnsupportedShapes):
            compiled(query)


# ---------------------------------------------------------------- random breaks of built articles

ODD_LITERALS = [
    Literal("1945-13-45", datatype=XSD.date),
    Literal(-7, datatype=XSD.integer),
    Literal(10**6, datatype=XSD.nonNegativeInteger),
    Literal("1.5", datatype=XSD.decimal),
    Literal("x", lang="en"),
    Literal("1001-01-01", datatype=XSD.date),
]


def broken_at_random(triples: list[Triple], rng: random.Random) -> list[Triple]:
    """Triples dropped, duplicated, literals replaced by odd ones, subjects and objects moved. A type stays on
    its node: the split assumes that only article-local nodes have the local classes (as ArticleWriter does)."""
    broken = list(triples)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(broken))
        s, p, o = broken[at]
        edit = rng.randrange(5)
        if edit == 0:
            del broken[at]
        elif edit == 1:
            broken.append(broken[at])
        elif edit == 2 and isinstance(o, Literal):
            broken[at] = (s, p, rng.choice(ODD_LITERALS + [Literal(f"{o}!")]))
        elif edit == 3 and p != RDF.type:
            broken[at] = (s, p, rng.choice(broken)[0])
        elif isinstance(o, URIRef) and p != RDF.type:
            broken[at] = (rng.choice(broken)[0], p, o)
    return broken


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 3))
def test_random_breaks_split_validation_equals_whole_graph(built_articles: Articles, seed: int, count: int) -> None:  # noqa: F811
    """validate() runs pyshacl (SPARQL once per graph, which test_validate shows equal to per-focus pyshacl)."""
    rng = random.Random(seed)
    articles = dict(built_articles)
    for path in rng.sample(sorted(articles), count):
        articles[path] = broken_at_random(articles[path], rng)
    assert split_report(articles) == validate(graph_of(articles))
