"""Validation split by article (localvalidate) gives exactly what pyshacl gives on the whole graph: the local
shapes on each article's triples, the pending findings confirmed on the store, the shared shapes on the
store; and a focus-restricted store run gives the full run's results about those focus nodes."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, Node, URIRef
from rdflib.namespace import RDF, XSD

from treatygraph import localvalidate as lv
from treatygraph.fastvalidate import to_ox, validate_store
from treatygraph.graph import build_graph
from treatygraph.ingest import IngestLimits, discover
from treatygraph.pipeline import process_file
from treatygraph.validate import ValidationReport, validate
from treatygraph.vocab import OA, TG

HERE = Path(__file__).parent
GRAPHS = HERE / "fixtures" / "graphs"
SCALE = HERE / "fixtures" / "scale"

Triple = tuple[Node, Node, Node]
Articles = dict[str, list[Triple]]


def store_of(articles: Articles) -> ox.Store:
    store = ox.Store()
    store.extend([ox.Quad(*map(to_ox, triple)) for triple in {t for ts in articles.values() for t in ts}])
    return store


def graph_of(articles: Articles) -> Graph:
    graph = Graph()
    for triples in articles.values():
        for triple in triples:
            graph.add(triple)
    return graph


def split_report(articles: Articles) -> ValidationReport:
    """What a build does: check each article, confirm the pending findings, validate the shared shapes."""
    store = store_of(articles)
    checks = [lv.check_article(triples) for triples in articles.values()]
    confirmed = lv.confirm(store, [pending for check in checks for pending in check.pending])
    shared = lv.validate_shared(store)
    return lv.merge([r for check in checks for r in check.results], confirmed, shared.results)


def trig_articles(name: str) -> Articles:
    dataset = Dataset()
    dataset.parse(GRAPHS / name, format="trig")
    return {str(graph.identifier): list(graph) for graph in dataset.graphs() if len(graph)}


@pytest.fixture(scope="module")
def built_articles(tmp_path_factory: pytest.TempPathFactory) -> Articles:
    """The scale fixture corpus, written as the build writes it: one triple list per article."""
    folder = tmp_path_factory.mktemp("corpus")
    for source in sorted(SCALE.glob("*.txt")):
        shutil.copy(source, folder / source.name)
    facts = [found for _, found in (process_file(p, folder, IngestLimits()) for p in discover(folder)) if found]
    _, per_article = build_graph(facts)
    return {path: list(triples) for path, triples in per_article.items()}


def test_local_classes_are_the_article_local_node_classes() -> None:
    assert lv.local_classes() == {TG.FactRecord, TG.Evidence, TG.Article, OA.TextPositionSelector, OA.TextQuoteSelector}


@pytest.mark.parametrize("name", sorted(path.name for path in GRAPHS.glob("*.trig")))
def test_split_validation_equals_pyshacl_on_fixture_graphs(name: str) -> None:
    articles = trig_articles(name)
    assert split_report(articles) == validate(graph_of(articles), sparql_per_focus=True)


def test_split_validation_equals_pyshacl_on_a_built_corpus(built_articles: Articles) -> None:
    expected = validate(graph_of(built_articles), sparql_per_focus=True)
    assert split_report(built_articles) == expected
    assert expected.results, "the corpus has findings to compare"


# ---------------------------------------------------------------- broken articles

Edit = Callable[[list[Triple], int], list[Triple]]


def _nth(nodes: list[Node], pick: int) -> Node | None:
    ordered = sorted(set(nodes), key=str)
    return ordered[pick % len(ordered)] if ordered else None


def _typed(triples: list[Triple], cls: Node) -> list[Node]:
    return [s for s, p, o in triples if p == RDF.type and o == cls]


def _records(triples: list[Triple]) -> list[Node]:
    return _typed(triples, TG.FactRecord)


def drop_record(triples: list[Triple], pick: int) -> list[Triple]:
    """A fact whose only record (in this article) is gone."""
    record = _nth(_records(triples), pick)
    return [t for t in triples if t[0] != record]


def drop_fact_keep_record(triples: list[Triple], pick: int) -> list[Triple]:
    record = _nth(_records(triples), pick)
    parts = {p: o for s, p, o in triples if s == record}
    fact = (parts.get(RDF.subject), parts.get(RDF.predicate), parts.get(RDF.object))
    return [t for t in triples if t != fact]


def drop_evidence_link(triples: list[Triple], pick: int) -> list[Triple]:
    record = _nth(_records(triples), pick)
    return [t for t in triples if not (t[0] == record and t[1] == TG.evidence)]


def evidence_points_at_shared_node(triples: list[Triple], pick: int) -> list[Triple]:
    record = _nth(_records(triples), pick)
    treaty = _nth(_typed(triples, TG.Treaty), pick)
    kept = [t for t in triples if not (t[0] == record and t[1] == TG.evidence)]
    return kept + [(record, TG.evidence, treaty)] if record is not None and treaty is not None else triples


def confidence_out_of_range(triples: list[Triple], pick: int) -> list[Triple]:
    record = _nth(_records(triples), pick)
    kept = [t for t in triples if not (t[0] == record and t[1] == TG.confidence)]
    return kept + [(record, TG.confidence, Literal("1.5", datatype=XSD.decimal))] if record is not None else triples


def _replace_object(triples: list[Triple], subject: Node | None, predicate: Node, value: Node) -> list[Triple]:
    if subject is None:
        return triples
    return [t for t in triples if not (t[0] == subject and t[1] == predicate)] + [(subject, predicate, value)]


def span_beyond_text(triples: list[Triple], pick: int) -> list[Triple]:
    position = _nth(_typed(triples, OA.TextPositionSelector), pick)
    return _replace_object(triples, position, OA.end, Literal(10**6, datatype=XSD.nonNegativeInteger))


def backwards_span(triples: list[Triple], pick: int) -> list[Triple]:
    position = _nth(_typed(triples, OA.TextPositionSelector), pick)
    return _replace_object(triples, position, OA.start, Literal(10**5, datatype=XSD.nonNegativeInteger))


def quote_too_long(triples: list[Triple], pick: int) -> list[Triple]:
    quote = _nth(_typed(triples, OA.TextQuoteSelector), pick)
    exact = next((o for s, p, o in triples if s == quote and p == OA.exact), None)
    return _replace_object(triples, quote, OA.exact, Literal(f"{exact}!")) if exact is not None else triples


def drop_position(triples: list[Triple], pick: int) -> list[Triple]:
    position = _nth(_typed(triples, OA.TextPositionSelector), pick)
    return [t for t in triples if position not in (t[0], t[2])]


def text_length_as_string(triples: list[Triple], pick: int) -> list[Triple]:
    article = _nth(_typed(triples, TG.Article), pick)
    return _replace_object(triples, article, TG.textLength, Literal("long"))


def ends_before_signed(triples: list[Triple], pick: int) -> list[Triple]:
    """An ended date (fact and its records) before every signing date."""
    treaty = _nth(_typed(triples, TG.Treaty), pick)
    early = Literal("1001-01-01", datatype=XSD.date)
    records = {s for s, p, o in triples if p == RDF.subject and o == treaty} & {
        s for s, p, o in triples if p == RDF.predicate and o == TG.signedOn
    }
    edited = [(s, TG.endedOn, early) if s == treaty and p == TG.signedOn else (s, p, o) for s, p, o in triples]
    edited = [(s, p, TG.endedOn) if s in records and p == RDF.predicate else (s, p, o) for s, p, o in edited]
    edited = [(s, p, early) if s in records and p == RDF.object else (s, p, o) for s, p, o in edited]
    return edited + ([(treaty, TG.signedOn, Literal("1990-01-01", datatype=XSD.date))] if treaty is not None else [])


EDITS: list[Edit] = [
    drop_record,
    drop_fact_keep_record,
    drop_evidence_link,
    evidence_points_at_shared_node,
    confidence_out_of_range,
    span_beyond_text,
    backwards_span,
    quote_too_long,
    drop_position,
    text_length_as_string,
    ends_before_signed,
]


def broken(articles: Articles, edits: list[tuple[int, int, int]]) -> Articles:
    paths = sorted(articles)
    changed = {path: list(triples) for path, triples in articles.items()}
    for edit, article, pick in edits:
        path = paths[article % len(paths)]
        changed[path] = EDITS[edit % len(EDITS)](changed[path], pick)
    return changed


@pytest.mark.parametrize("edit", range(len(EDITS)), ids=[edit.__name__ for edit in EDITS])
def test_split_validation_equals_pyshacl_on_each_kind_of_break(built_articles: Articles, edit: int) -> None:
    """validate() runs pyshacl with whole-graph SPARQL, which test_validate shows equal to per-focus pyshacl."""
    articles = broken(built_articles, [(edit, 0, 1)])
    expected = validate(graph_of(articles))
    assert split_report(articles) == expected
    assert expected != validate(graph_of(built_articles)), "the edit breaks something"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 10), st.integers(0, 50)), min_size=1, max_size=4))
def test_split_validation_equals_the_whole_graph_validation(
    built_articles: Articles, edits: list[tuple[int, int, int]]
) -> None:
    """validate() runs pyshacl with whole-graph SPARQL, which test_validate shows equal to per-focus pyshacl."""
    articles = broken(built_articles, edits)
    assert split_report(articles) == validate(graph_of(articles))


def test_a_fact_recorded_by_another_article_is_not_a_finding(built_articles: Articles) -> None:
    """A candidate of one article stands only if no other article backs the fact."""
    treaty_facts = [
        (s, p, o)
        for ts in built_articles.values()
        for s, p, o in ts
        if p in (TG.signedOn, TG.hasParty) and (s, RDF.type, TG.Treaty) in set(ts)
    ]
    fact = sorted(treaty_facts, key=str)[0]
    articles = dict(built_articles)
    articles["extra"] = [fact, (fact[0], RDF.type, TG.Treaty)]  # states the fact, records nothing
    [pending] = lv.article_fact_candidates(articles["extra"])
    assert (pending.finding.focus, pending.finding.path, pending.finding.value) == fact
    assert lv.confirm(store_of(articles), [pending]) == ()
    assert split_report(articles) == validate(graph_of(articles))


# ---------------------------------------------------------------- focus


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_focus_restriction_gives_the_full_results_about_those_nodes(
    built_articles: Articles, data: st.DataObject
) -> None:
    articles = broken(
        built_articles,
        data.draw(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 10), st.integers(0, 50)), max_size=3)),
    )
    store = store_of(articles)
    nodes = sorted({s for ts in articles.values() for s, _, _ in ts if isinstance(s, URIRef)}, key=str)
    focus = data.draw(st.sets(st.sampled_from(nodes), max_size=8))
    skip = data.draw(st.sampled_from([frozenset(), lv.local_classes()]))
    full = validate_store(store, skip_classes=skip)
    restricted = validate_store(store, skip_classes=skip, focus=focus)
    assert restricted.results == tuple(r for r in full.results if URIRef(r.focus) in focus)


def test_empty_focus_checks_nothing(built_articles: Articles) -> None:
    assert validate_store(store_of(built_articles), focus=[]).results == ()


# ---------------------------------------------------------------- the evaluator


def test_article_check_finds_a_backwards_span_with_its_sentence(built_articles: Articles) -> None:
    path = sorted(built_articles)[0]
    results = lv.validate_article(backwards_span(built_articles[path], 0))
    [problem] = [r for r in results if "empty or backwards" in r.message]
    assert problem.article == path and problem.path == "oa:end" and problem.quote
    assert "starts at 100000" in problem.message


def test_a_clean_article_has_no_findings(built_articles: Articles) -> None:
    for triples in built_articles.values():
        check = lv.check_article(triples)
        assert check.pending == ()
        assert all("confidence" not in r.message for r in check.results)


def _fresh(term: Node) -> Node:
    """An equal term as a new object (what another writer, or a parsed file, would hand over)."""
    if isinstance(term, Literal):
        datatype = None if term.datatype is None else URIRef(str(term.datatype))
        return Literal(str(term), lang=term.language, datatype=datatype)
    return type(term)(str(term))


def test_article_checks_do_not_depend_on_which_objects_its_terms_are(built_articles: Articles) -> None:
    """check_article keeps value verdicts and the last article's term objects across articles, found by
    identity: articles whose terms are all new objects, between the writer's, get the same checks."""
    articles = broken(built_articles, [(edit, edit, 1) for edit in range(len(EDITS))])
    checks = {path: lv.check_article(triples) for path, triples in articles.items()}
    assert any(check.results for check in checks.values()) and any(check.pending for check in checks.values())
    for path, triples in articles.items():
        assert lv.check_article([(_fresh(s), _fresh(p), _fresh(o)) for s, p, o in triples]) == checks[path]
        assert lv.check_article(triples) == checks[path]
