"""The streaming build gives what the naive pipeline gives (one rdflib graph, owlrl, pyshacl), re-runs from its
cache, changes only what changed, and writes a store that `query` opens. No timing assertions here: the
figures come from benchmarks/run.py."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from treatygraph import pipeline
from treatygraph.cache import ArticleCache
from treatygraph.fastvalidate import not_exists_as_minus, validate_store
from treatygraph.graph import article_iri, build_graph
from treatygraph.ingest import IngestLimits, discover
from treatygraph.pipeline import BuildOptions, build, process_file
from treatygraph.query import load_graph, load_queries, run_query, run_query_on_store
from treatygraph.reason import Reasoner, naive_closure
from treatygraph.store import open_read_only, store_for_graph
from treatygraph.validate import validate
from treatygraph.vocab import DEFAULT_BASE, TG

FIXTURES = Path(__file__).parent / "fixtures" / "scale"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for source in sorted(FIXTURES.glob("*.txt")):
        shutil.copy(source, folder / source.name)
    return folder


@pytest.fixture(scope="module")
def built(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    build(corpus, out, BuildOptions(workers=1))
    return out


def naive_graph(corpus: Path) -> tuple[Graph, dict[str, list]]:
    facts = [found for _, found in (process_file(p, corpus, IngestLimits()) for p in discover(corpus)) if found]
    return build_graph(facts)


def test_asserted_graph_and_named_graphs_equal_the_one_graph_build(corpus: Path, built: Path) -> None:
    graph, per_article = naive_graph(corpus)
    assert set(Graph().parse(built / "treatygraph.ttl")) == set(graph)
    dataset = Dataset()
    dataset.parse(built / "treatygraph.trig", format="trig")
    for path, triples in per_article.items():
        assert set(dataset.graph(article_iri(DEFAULT_BASE, path))) == set(triples), path


def test_inferred_triples_equal_owlrl_over_everything(corpus: Path, built: Path) -> None:
    graph, _ = naive_graph(corpus)
    inferred = Graph().parse(built / "inferred.ttl")
    assert set(inferred) == set(naive_closure(graph))
    dataset = Dataset()
    dataset.parse(built / "treatygraph.trig", format="trig")
    assert set(dataset.graph(URIRef(DEFAULT_BASE + "graph/inferred"))) == set(inferred)
    assert any(p == TG.supersedes for _, p, _ in inferred), "a superseding chain that spans articles is closed"


def test_validation_report_equals_pyshacl_over_everything(corpus: Path, built: Path) -> None:
    graph, _ = naive_graph(corpus)
    expected = validate(graph, sparql_per_focus=True)
    store = ox.Store()
    store.load(path=str(built / "treatygraph.ttl"), format=ox.RdfFormat.TURTLE)
    assert validate_store(store) == expected
    assert not expected.conforms, "the fixture corpus has a treaty that ends before it was signed"


def broken_graphs() -> list[Graph]:
    """The examples' graph broken in each way a shape checks."""
    base = Graph().parse(FIXTURES / "graph.ttl")
    treaty = next(iter(base.subjects(RDF.type, TG.Treaty)))
    person = URIRef(DEFAULT_BASE + "entity/a-person")
    record = next(iter(base.subjects(TG.confidence, None)))
    evidence = next(iter(base.subjects(RDF.type, TG.Evidence)))
    edits = [
        lambda g: g.remove((treaty, RDFS.label, None)),
        lambda g: g.add((treaty, TG.signedOn, Literal("not a date"))),
        lambda g: g.add((treaty, TG.signedOn, Literal("1801-02-30", datatype=XSD.date))),
        lambda g: (
            g.add((person, RDF.type, TG.Person)),
            g.add((person, RDF.type, TG.State)),
            g.add((treaty, TG.hasParty, person)),
        ),
        lambda g: g.add(
            (record, TG.confidence, Literal("1.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")))
        ),
        lambda g: g.add((treaty, TG.endedHow, TG.Signed)),
        lambda g: g.remove((evidence, URIRef("http://www.w3.org/ns/oa#hasSource"), None)),
        lambda g: g.add((treaty, TG.supersedes, treaty)),
        lambda g: g.add((treaty, TG.signedAt, Literal("Ghent"))),
    ]
    graphs = []
    for edit in edits:
        graph = Graph()
        for triple in base:
            graph.add(triple)
        edit(graph)
        graphs.append(graph)
    return graphs


@pytest.mark.parametrize("graph", broken_graphs())
def test_fast_validation_equals_pyshacl_on_broken_graphs(graph: Graph) -> None:
    store = ox.Store()
    store.load(graph.serialize(format="nt").encode(), ox.RdfFormat.N_TRIPLES)
    expected = validate(graph, sparql_per_focus=True)
    assert validate_store(store) == expected
    assert not expected.conforms


def test_not_exists_becomes_minus_only_when_equivalent() -> None:
    plain = "SELECT ?this WHERE { ?this ?p ?v . FILTER NOT EXISTS { ?r <s> ?this ; <o> ?v } }"
    assert "MINUS" in not_exists_as_minus(plain)
    optional = "SELECT ?this WHERE { ?this ?p ?v . OPTIONAL { ?this <q> ?w } FILTER NOT EXISTS { ?r <s> ?w } }"
    assert not_exists_as_minus(optional) == optional
    filtered = "SELECT ?this WHERE { ?this ?p ?v . FILTER NOT EXISTS { ?r <s> ?this FILTER(?v > 1) } }"
    assert not_exists_as_minus(filtered) == filtered


def test_outputs_are_readable_by_everyone_and_no_temporary_file_is_left(built: Path) -> None:
    for name in ("treatygraph.ttl", "treatygraph.trig", "inferred.ttl", "report.json", "validation.txt"):
        assert stat.S_IMODE((built / name).stat().st_mode) == 0o644, name
    assert not [p for p in built.iterdir() if p.name.startswith(".") and p.name != ".cache"]


def test_query_uses_the_store_and_answers_as_the_file_does(built: Path) -> None:
    graph_file = built / "treatygraph.ttl"
    location = store_for_graph(graph_file)
    assert location == built / "store"
    graph = load_graph(graph_file)
    store = open_read_only(location)
    for query in load_queries().values():
        params = {"treaty": "treaty of ghent", "party": "united kingdom"}
        given = {p.name: params[p.name] for p in query.params if p.name in params}
        expected = run_query(graph, query, given)
        found = run_query_on_store(store, query, given)
        assert found.vars == expected.vars, query.name
        assert sorted(map(repr, found.rows)) == sorted(map(repr, expected.rows)), query.name


def test_a_store_loaded_while_writing_equals_one_loaded_after(
    corpus: Path, built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "BACKGROUND_LOAD_FROM", 0)
    out = tmp_path / "out"
    result = build(corpus, out, BuildOptions(workers=1))
    assert "store_loading" in result.timings  # it did load in the background
    assert set(ox.Store.read_only(str(out / "store"))) == set(ox.Store.read_only(str(built / "store")))
    assert (out / "validation.txt").read_bytes() == (built / "validation.txt").read_bytes()
    assert store_for_graph(out / "treatygraph.ttl") == out / "store"


def test_a_failed_build_stops_the_background_load_and_leaves_no_store_folder(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "BACKGROUND_LOAD_FROM", 0)
    loads: list[pipeline.GrowingLoad] = []
    start = pipeline._start_loading

    def remembered(*args: object) -> pipeline.GrowingLoad | None:
        loading = start(*args)  # type: ignore[arg-type]
        loads.append(loading)  # type: ignore[arg-type]
        return loading

    def broken(job: object) -> object:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(pipeline, "_start_loading", remembered)
    monkeypatch.setattr(pipeline, "write_one", broken)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="disk gone"):
        build(corpus, out, BuildOptions(workers=1))
    assert loads and loads[0] is not None and not loads[0].process.is_alive()
    assert not list(out.glob(".store-*")) and not (out / "store").exists()


def test_a_changed_graph_file_is_no_longer_served_from_the_store(built: Path, tmp_path: Path) -> None:
    copy = tmp_path / "out"
    shutil.copytree(built, copy)
    graph_file = copy / "treatygraph.ttl"
    graph_file.write_text(graph_file.read_text() + "\n")
    assert store_for_graph(graph_file) is None


def test_rerun_reads_from_the_cache_and_writes_the_same_bytes(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = build(corpus, out, BuildOptions(workers=1))
    before = {name: (out / name).read_bytes() for name in ("treatygraph.ttl", "treatygraph.trig", "inferred.ttl")}
    second = build(corpus, out, BuildOptions(workers=1))
    assert first.cached == 0 and second.cached == len(second.reports)
    for name, content in before.items():
        assert (out / name).read_bytes() == content, name


def test_two_processes_write_the_same_bytes(corpus: Path, tmp_path: Path) -> None:
    """Each Python process hashes strings with its own seed: no output may depend on set order."""
    names = ("treatygraph.ttl", "treatygraph.trig", "inferred.ttl", "validation.txt")
    written = []
    for seed in ("1", "2"):
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        command = [sys.executable, "-m", "treatygraph", "build", str(corpus), "--out", str(out), "--quiet"]
        subprocess.run(command, env=env, check=True, capture_output=True)
        written.append({name: (out / name).read_bytes() for name in names})
    for name in names:
        assert written[0][name] == written[1][name], name


def test_changing_one_article_changes_only_its_statements(corpus: Path, tmp_path: Path) -> None:
    work = tmp_path / "corpus"
    shutil.copytree(corpus, work)
    out = tmp_path / "out"
    build(work, out, BuildOptions(workers=1))
    before = Dataset()
    before.parse(out / "treatygraph.trig", format="trig")
    changed = sorted(work.glob("*.txt"))[0]
    changed.write_text(changed.read_text().replace("signed", "signed formally", 1))
    removed = sorted(work.glob("*.txt"))[-1]
    removed.unlink()
    result = build(work, out, BuildOptions(workers=1))
    assert result.cached == len(result.reports) - 1
    after = Dataset()
    after.parse(out / "treatygraph.trig", format="trig")
    names = {str(g.identifier) for g in after.graphs()}
    assert str(article_iri(DEFAULT_BASE, removed.name)) not in names, "a removed article drops out"
    changed_iri = article_iri(DEFAULT_BASE, changed.name)
    for graph in before.graphs():
        if graph.identifier in (changed_iri, article_iri(DEFAULT_BASE, removed.name)):
            continue
        if str(graph.identifier).endswith("graph/inferred"):
            continue
        assert set(after.graph(graph.identifier)) == set(graph), graph.identifier
    assert set(after.graph(changed_iri)) != set(before.graph(changed_iri))
    report = json.loads((out / "report.json").read_text())
    assert removed.name not in {a["path"] for a in report["articles"]}
    assert len(ArticleCache(out / ".cache" / "facts").entries) == len(result.reports), "stale entries are removed"


def test_an_incremental_build_equals_a_fresh_build_and_updates_the_store_in_place(corpus: Path, tmp_path: Path) -> None:
    work = tmp_path / "corpus"
    shutil.copytree(corpus, work)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    build(work, out, BuildOptions(workers=1))
    store_files_before = {p.name for p in (out / "store").iterdir()}
    articles = sorted(work.glob("*.txt"))
    articles[0].write_text(articles[0].read_text().replace("signed", "signed formally", 1))
    articles[1].write_text(
        articles[1].read_text() + "\nThe treaty expired on 1 January 1700.\n"
    )  # before it was signed
    articles[-1].unlink()
    before = (out / "validation.txt").read_text()
    incremental = build(work, out, BuildOptions(workers=1))
    assert (out / "validation.txt").read_text() != before, "the new violation is found by the incremental run"
    build(work, fresh, BuildOptions(workers=1))
    assert incremental.cached == len(incremental.reports) - 2
    for name in ("treatygraph.ttl", "treatygraph.trig", "inferred.ttl", "validation.txt", "report.json"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name
    assert {p.name for p in (out / "store").iterdir()} & store_files_before, "the store was updated, not replaced"
    updated, rebuilt = ox.Store(str(out / "store")), ox.Store(str(fresh / "store"))
    assert set(updated) == set(rebuilt)
    assert store_for_graph(out / "treatygraph.ttl") == out / "store", "query and serve open the updated store"


def test_a_store_left_half_updated_is_rebuilt(corpus: Path, tmp_path: Path) -> None:
    work = tmp_path / "corpus"
    shutil.copytree(corpus, work)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    build(work, out, BuildOptions(workers=1))
    (out / "store" / "treatygraph-updating").write_text("")  # as a build killed during an update leaves it
    (out / "store" / "treatygraph-source.json").unlink()
    article = sorted(work.glob("*.txt"))[0]
    article.write_text(article.read_text().replace("signed", "signed formally", 1))
    build(work, out, BuildOptions(workers=1))
    build(work, fresh, BuildOptions(workers=1))
    assert set(ox.Store(str(out / "store"))) == set(ox.Store(str(fresh / "store")))


def test_an_article_over_the_time_limit_is_reported_not_cut(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from treatygraph import pipeline

    real = pipeline.extract_article

    def slow(article):  # type: ignore[no-untyped-def]
        if article.path.startswith("b"):
            time.sleep(2)
        return real(article)

    monkeypatch.setattr(pipeline, "extract_article", slow)
    result = build(corpus, tmp_path / "out", BuildOptions(workers=1, max_seconds_per_article=0.2))
    failed = [r for r in result.reports if r.status == "failed"]
    assert [r.path for r in failed] == [p.name for p in sorted(corpus.glob("b*.txt"))]
    assert "--max-seconds-per-article" in failed[0].problems[0]
    assert all(r.status != "failed" for r in result.reports if not r.path.startswith("b"))


def test_reasoner_streaming_and_pipeline_agree_on_the_examples(corpus: Path, built: Path) -> None:
    graph, per_article = naive_graph(corpus)

    def graphs():  # type: ignore[no-untyped-def]
        for triples in per_article.values():
            one = Graph()
            for triple in triples:
                one.add(triple)
            yield one

    assert set(Reasoner().closure(graphs())) == set(Graph().parse(built / "inferred.ttl"))


def test_a_build_keeps_the_compiled_ontology_rules_in_its_cache(corpus: Path, tmp_path: Path) -> None:
    """A fresh process reads the rules a build saved instead of running owlrl over the ontology again; a
    damaged file is compiled and saved again, and the build's outputs do not change."""
    out = tmp_path / "out"

    def run() -> bytes:
        command = [sys.executable, "-m", "treatygraph", "build", str(corpus), "--out", str(out), "--quiet"]
        subprocess.run(command, check=True, capture_output=True)
        return (out / "inferred.ttl").read_bytes()

    first = run()
    saved = list((out / ".cache" / "model").glob("rules-*.pkl"))
    assert len(saved) == 1 and saved[0].stat().st_size > 1000
    saved[0].write_bytes(b"damaged")
    (out / "inferred.ttl").unlink()  # the outputs are written again
    assert run() == first
    assert saved[0].stat().st_size > 1000
