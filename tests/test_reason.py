"""Reasoning: alignments answer Wikidata / schema.org / ELI questions, chains are (only) where they should be,
and the per-article fast path gives exactly owlrl's naive closure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, XSD

from treatygraph.ontology import load_ontology
from treatygraph.reason import Reasoner, TripleIndex, is_noise, naive_closure
from treatygraph.types import TreatygraphError
from treatygraph.vocab import DEFAULT_BASE, PREFIXES, TG, WD

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "graphs"
ID = DEFAULT_BASE
VELLMAR = URIRef(ID + "treaty/treaty-of-vellmar-1950")
ORRIN = URIRef(ID + "treaty/treaty-of-orrin-1931")
DUNMERE_PACT = URIRef(ID + "treaty/pact-of-dunmere-1920")
ILSE = URIRef(ID + "treaty/convention-of-ilse-1910")
TAMSK = URIRef(ID + "treaty/accord-of-tamsk-1898")
NORLAND = URIRef(ID + "entity/republic-of-norland")
SARN = URIRef(ID + "entity/kingdom-of-sarn")
MORROW = URIRef(ID + "entity/ada-morrow")
UNSC = URIRef(ID + "entity/Q37470")


def article_graphs(name: str) -> list[Graph]:
    dataset = Dataset()
    dataset.parse(FIXTURES / name, format="trig")
    return [graph for graph in dataset.graphs() if len(graph)]


def merge(graphs: list[Graph]) -> Graph:
    merged = Graph()
    for graph in graphs:
        for triple in graph:
            merged.add(triple)
    return merged


@pytest.fixture(scope="module")
def lineage() -> tuple[Graph, Graph]:
    """(asserted, inferred) for the three-article lineage fixture, inferred by the streaming reasoner."""
    graphs = article_graphs("lineage.trig")
    return merge(graphs), Reasoner().closure(graphs)


def ask(graph: Graph, query: str) -> bool:
    prefixes = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())
    return bool(graph.query(prefixes + "ASK { " + query + " }").askAnswer)


def both(lineage: tuple[Graph, Graph]) -> Graph:
    asserted, inferred = lineage
    return asserted + inferred


@pytest.mark.parametrize(
    "pattern",
    [
        f"<{VELLMAR}> wdt:P1891 <{NORLAND}> , <{MORROW}>",
        f"<{VELLMAR}> a wd:Q131569 , wd:Q625298 , schema:Legislation , dbo:Treaty , eli:LegalResource",
        f"<{VELLMAR}> wdt:P31 wd:Q131569 , wd:Q625298",
        f'<{VELLMAR}> schema:legislationDate "1950-06-14"^^xsd:date',
        f'<{VELLMAR}> eli:first_date_entry_in_force "1950-08-02"^^xsd:date',
        f'<{VELLMAR}> wdt:P7588 "1950-08-02"^^xsd:date',
        f"<{VELLMAR}> wdt:P1365 <{ORRIN}> ; eli:repeals <{ORRIN}> ; dcterms:replaces <{ORRIN}>",
        f"<{ORRIN}> wdt:P1366 <{VELLMAR}> ; eli:repealed_by <{VELLMAR}>",
        f'<{ORRIN}> eli:date_no_longer_in_force "1950-06-14"^^xsd:date ; wdt:P582 "1950-06-14"^^xsd:date',
        f"<{ORRIN}> schema:legislationLegalForce schema:NotInForce ; a tg:EndedTreaty",
        f"<{ORRIN}> wdt:P144 <{ILSE}> ; eli:based_on <{ILSE}>",
        f"<{VELLMAR}> wdt:P276 ?place",
        f"?resolution schema:legislationPassedBy <{UNSC}> ; a wd:Q877358 ; wdt:P31 wd:Q877358",
        f"<{NORLAND}> wdt:P31 wd:Q3624078 ; a tg:Party",
        f"<{SARN}> wdt:P31 wd:Q3024240",
        f"<{MORROW}> wdt:P31 wd:Q5 ; a schema:Person",
    ],
)
def test_users_of_other_vocabularies_get_answers(lineage: tuple[Graph, Graph], pattern: str) -> None:
    assert ask(both(lineage), pattern), pattern
    assert not ask(lineage[0], pattern), "only reasoning should make this true"


def test_inverses(lineage: tuple[Graph, Graph]) -> None:
    graph = both(lineage)
    assert (NORLAND, TG.partyTo, VELLMAR) in graph
    assert (MORROW, TG.signerOf, VELLMAR) in graph
    assert (NORLAND, TG.violated, ILSE) in graph
    assert (ORRIN, TG.supersededBy, VELLMAR) in graph


def test_supersedes_is_transitive_across_articles(lineage: tuple[Graph, Graph]) -> None:
    asserted, inferred = lineage
    # Vellmar -> Orrin is read from one article, Orrin -> Dunmere from another.
    assert (VELLMAR, TG.supersedes, DUNMERE_PACT) not in asserted
    assert (VELLMAR, TG.supersedes, DUNMERE_PACT) in inferred
    assert (DUNMERE_PACT, TG.supersededBy, VELLMAR) in inferred


def test_based_on_is_not_transitive(lineage: tuple[Graph, Graph]) -> None:
    asserted, inferred = lineage
    assert (ORRIN, TG.basedOn, ILSE) in asserted and (ILSE, TG.basedOn, TAMSK) in asserted
    assert (ORRIN, TG.basedOn, TAMSK) not in asserted + inferred


def test_violated_by_follows_from_the_violation_node() -> None:
    graphs = article_graphs("lineage.trig")
    for graph in graphs:
        graph.remove((ILSE, TG.violatedBy, NORLAND))
    inferred = Reasoner().closure(graphs)
    assert (ILSE, TG.violatedBy, NORLAND) in inferred
    assert (NORLAND, TG.violated, ILSE) in inferred


def test_a_name_key_entails_nothing_of_what_has_it() -> None:
    """tg:nameKey has no domain: a treaty with keys is not made a prov:Agent (nor an agent a treaty), and the
    keys themselves give no entailment at all."""
    treaty, key = URIRef(ID + "treaty/pact-of-keys-1900"), Literal("pact of keys")
    with_keys, without = Graph(), Graph()
    for graph in (with_keys, without):
        graph.add((treaty, RDF.type, TG.Treaty))
        graph.add((treaty, RDFS.label, Literal("Pact of Keys", lang="en")))
        graph.add((NORLAND, RDF.type, TG.State))
        graph.add((treaty, TG.hasParty, NORLAND))
    with_keys.add((treaty, TG.nameKey, key))
    with_keys.add((NORLAND, TG.nameKey, Literal("republic of norland")))
    for closure in (lambda g: set(Reasoner().closure([g])), lambda g: set(naive_closure(g))):
        inferred = closure(with_keys)
        assert inferred == closure(without)
        assert (treaty, RDF.type, PROV.Agent) not in inferred and (NORLAND, RDF.type, PROV.Agent) in inferred


@pytest.mark.parametrize("name", sorted(path.name for path in FIXTURES.glob("*.trig")))
def test_streaming_equals_naive_closure_on_fixtures(name: str) -> None:
    graphs = article_graphs(name)
    streaming = Reasoner().closure(graphs)
    naive = naive_closure(merge(graphs))
    assert set(streaming) == set(naive)
    assert len(naive) > 20


def test_streaming_equals_naive_with_same_as_across_articles() -> None:
    graphs = article_graphs("lineage.trig")
    alias = URIRef(ID + "entity/norland")
    extra = Graph()
    extra.add((alias, OWL.sameAs, NORLAND))
    extra.add((alias, RDFS.label, Literal("Norland", lang="en")))
    extra.add((URIRef(ID + "treaty/treaty-of-hale-1960"), TG.hasParty, alias))
    graphs.append(extra)
    streaming = Reasoner().closure(graphs)
    assert set(streaming) == set(naive_closure(merge(graphs)))
    assert (alias, TG.partyTo, VELLMAR) in streaming  # Norland's facts carried over to its alias


def test_close_article_leaves_out_asserted_ontology_and_noise() -> None:
    graph = article_graphs("lineage.trig")[0]
    reasoner = Reasoner()
    inferred = reasoner.close_article(graph)
    ontology = set(load_ontology())
    assert inferred and not inferred & set(graph) and not inferred & ontology
    for subject, predicate, obj in inferred:
        assert not isinstance(subject, Literal)
        assert not (predicate == OWL.sameAs and subject == obj)
        assert not (predicate == RDF.type and obj == OWL.Thing)
        assert not isinstance(subject, BNode) and not isinstance(obj, BNode)


def test_finish_drops_what_another_article_asserts() -> None:
    first, second = Graph(), Graph()
    first.add((NORLAND, RDF.type, TG.State))
    second.add((NORLAND, RDF.type, TG.Party))
    reasoner = Reasoner()
    per_article = Graph()
    for triple in reasoner.close_article(first) | reasoner.close_article(second):
        per_article.add(triple)
    assert (NORLAND, RDF.type, TG.Party) in per_article
    inferred = reasoner.finish(merge([first, second]), per_article)
    assert (NORLAND, RDF.type, TG.Party) not in inferred
    assert (NORLAND, RDF.type, URIRef("http://dbpedia.org/ontology/Country")) in inferred


def test_noise_filter() -> None:
    restriction = BNode()
    assert is_noise((Literal("1945"), RDF.type, XSD.gYear), set())
    assert is_noise((NORLAND, OWL.sameAs, NORLAND), set())
    assert is_noise((NORLAND, RDF.type, OWL.Thing), set())
    assert is_noise((NORLAND, RDF.type, restriction), {restriction})
    assert not is_noise((NORLAND, RDF.type, TG.Party), {restriction})
    assert not is_noise((NORLAND, OWL.sameAs, UNSC), set())


def test_reasoner_refuses_an_ontology_it_cannot_follow() -> None:
    ontology = load_ontology()
    restriction = BNode()
    ontology.add((TG.Alliance, RDFS.subClassOf, restriction))
    ontology.add((restriction, OWL.onProperty, TG.hasParty))
    ontology.add((restriction, OWL.someValuesFrom, TG.State))
    with pytest.raises(TreatygraphError, match="someValuesFrom"):
        Reasoner(ontology)


def test_reasoner_refuses_schema_in_facts() -> None:
    graph = Graph()
    graph.add((TG.Treaty, RDFS.subClassOf, WD.Q131569))
    with pytest.raises(TreatygraphError, match="schema axioms"):
        Reasoner().close_article(graph)


# Random facts over a few nodes, split into articles at random: streaming must equal naive every time.
NODES = [URIRef(ID + f"node/{n}") for n in range(5)]
OBJECT_PROPERTIES = [
    TG.hasParty,
    TG.hasSigner,
    TG.supersedes,
    TG.supersededBy,
    TG.basedOn,
    TG.violatedBy,
    TG.violatedTreaty,
    TG.violator,
    TG.adoptedBy,
    TG.concerns,
    TG.partyTo,
    OWL.sameAs,
]
CLASSES = [
    TG.Treaty,
    TG.PeaceTreaty,
    TG.State,
    TG.HistoricalState,
    TG.Person,
    TG.Organ,
    TG.Violation,
    TG.UNSecurityCouncilResolution,
    TG.EndedTreaty,
]
LITERAL_PROPERTIES = [TG.signedOn, TG.effectiveOn, TG.endedOn, TG.adoptedOn]

facts = st.one_of(
    st.tuples(st.sampled_from(NODES), st.sampled_from(OBJECT_PROPERTIES), st.sampled_from(NODES)),
    st.tuples(st.sampled_from(NODES), st.just(RDF.type), st.sampled_from(CLASSES)),
    st.tuples(
        st.sampled_from(NODES),
        st.sampled_from(LITERAL_PROPERTIES),
        st.sampled_from([Literal("1945-08-14", datatype=XSD.date), Literal("1950", datatype=XSD.gYear)]),
    ),
)


def split_into_articles(placed: list) -> list[Graph]:
    """Three article graphs from (triple, article number) pairs."""
    graphs = [Graph() for _ in range(3)]
    for triple, article in placed:
        graphs[article].add(triple)
    return graphs


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(facts, st.integers(min_value=0, max_value=2)), min_size=1, max_size=14))
def test_streaming_equals_naive_on_random_graphs(placed: list) -> None:
    graphs = split_into_articles(placed)
    assert set(Reasoner().closure(graphs)) == set(naive_closure(merge(graphs)))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(facts, st.integers(min_value=0, max_value=2)), min_size=1, max_size=14))
def test_finish_gives_the_same_on_a_triple_index_as_on_graphs(placed: list) -> None:
    graphs = split_into_articles(placed)
    reasoner = Reasoner()
    per_article = Graph()
    for graph in graphs:
        for triple in reasoner.close_article(graph):
            per_article.add(triple)
    # finish completes its second argument in place: the index gets its own copy first
    on_index = reasoner.finish(TripleIndex(t for g in graphs for t in g), TripleIndex(per_article))
    on_graphs = reasoner.finish(merge(graphs), per_article)
    assert set(on_index) == set(on_graphs)


# ---------------------------------------------------------------- built corpora: the bundled examples and the seeds

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"


def built_article_graphs(corpus: Path, out: Path) -> list[Graph]:
    """Build `corpus` without reasoning and return its per-article named graphs."""
    from treatygraph.cli import main

    assert main(["build", str(corpus), "--out", str(out), "--no-reason", "--no-validate"]) == 0
    dataset = Dataset()
    dataset.parse(out / "treatygraph.trig", format="trig")
    return [g for g in dataset.graphs() if len(g) and not str(g.identifier).endswith("graph/inferred")]


def test_streaming_equals_naive_on_the_bundled_examples(tmp_path: Path) -> None:
    graphs = built_article_graphs(REPO / "examples", tmp_path / "out")
    assert len(graphs) >= 6
    streaming = Reasoner().closure(graphs)
    assert set(streaming) == set(naive_closure(merge(graphs)))
    assert len(streaming) > 100


def test_streaming_equals_naive_on_the_seeds(tmp_path: Path) -> None:
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{seeds} is missing")
        pytest.skip(f"{seeds} is missing")
    graphs = built_article_graphs(seeds, tmp_path / "out")
    assert graphs
    assert set(Reasoner().closure(graphs)) == set(naive_closure(merge(graphs)))


def test_saved_rules_round_trip_and_survive_a_damaged_file(tmp_path: Path) -> None:
    from treatygraph.reason import OntologyRules, _default_rules, saved_rules

    first = saved_rules(tmp_path)  # compiled and saved
    files = list(tmp_path.glob("rules-*.pkl"))
    assert len(files) == 1
    again = saved_rules(tmp_path)  # read back
    assert isinstance(again, OntologyRules) and again is not _default_rules()
    assert again == first == _default_rules()
    graphs = article_graphs("lineage.trig")
    assert set(Reasoner(rules=again).closure(graphs)) == set(Reasoner().closure(graphs))

    files[0].write_bytes(b"not a pickle")
    assert saved_rules(tmp_path) == _default_rules()  # compiled again, and saved whole
    assert saved_rules(tmp_path) is not _default_rules()


def test_saved_rules_where_nothing_can_be_saved_are_compiled(tmp_path: Path) -> None:
    from treatygraph.reason import _default_rules, saved_rules

    blocker = tmp_path / "model"
    blocker.write_text("a file where the cache folder should be\n")
    assert saved_rules(blocker) == _default_rules()
    assert blocker.read_text() == "a file where the cache folder should be\n"
