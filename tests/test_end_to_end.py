"""The whole pipeline through the command line, as a user (and the measurement scorer) runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from treatygraph.vocab import OA, TG, WD

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLES = ROOT / "examples"
CLI = [sys.executable, "-m", "treatygraph"]


def require(path: Path) -> Path:
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing on CI")
        pytest.skip(f"{path} is missing")
    return path


def treatygraph(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=600, cwd=ROOT)


def score(articles: Path, gold: Path, tmp_path: Path) -> dict:
    """micro-F1 and per-relation figures from the shared scorer, run against our CLI."""
    wrapper = tmp_path / "treatygraph-cli"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m treatygraph "$@"\n')
    wrapper.chmod(0o755)
    scorer = require(SHARED / "tools" / "score.py")
    result = subprocess.run(
        [sys.executable, str(scorer), str(articles), str(gold), "--bin", str(wrapper), "--json"],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout[: result.stdout.rindex("}") + 1])


@pytest.fixture(scope="module")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("examples-out")
    result = treatygraph("build", str(EXAMPLES), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "treaties" in result.stdout and "triples" in result.stdout
    return out


def test_seeds_score_at_least_095(tmp_path: Path) -> None:
    figures = score(require(SHARED / "seeds"), require(SHARED / "corpus" / "seeds-gold.json"), tmp_path)
    assert figures["micro"]["f1"] >= 0.95, figures


def test_dev_corpus_keeps_its_quality(tmp_path: Path) -> None:
    figures = score(require(SHARED / "corpus" / "dev"), require(SHARED / "corpus" / "dev" / "gold.json"), tmp_path)
    assert figures["micro"]["f1"] >= 0.85, figures
    assert figures["micro"]["p"] >= 0.9, figures


def test_bundled_examples_score(tmp_path: Path) -> None:
    figures = score(EXAMPLES, EXAMPLES / "gold.json", tmp_path)
    assert figures["micro"]["f1"] >= 0.75, figures


def test_build_writes_every_output(example_build: Path) -> None:
    for name in ("treatygraph.ttl", "inferred.ttl", "treatygraph.trig", "report.json", "validation.txt"):
        assert (example_build / name).stat().st_size > 0, name
    report = json.loads((example_build / "report.json").read_text())
    assert {a["status"] for a in report["articles"]} == {"ok"}
    assert report["links"]["linked"], "linked names are listed"
    assert not list(example_build.glob(".*.tmp")), "no temporary file is left behind"


def test_every_evidence_quote_matches_the_article_text(example_build: Path) -> None:
    """Offsets are code points of the ingested text: re-ingest each article and compare every quote."""
    from treatygraph.ingest import ingest_file

    graph = Graph().parse(example_build / "treatygraph.ttl")
    texts = {}
    for article in graph.subjects(RDF.type, TG.Article):
        path = str(graph.value(article, TG.sourcePath))
        texts[article] = ingest_file(EXAMPLES / path, EXAMPLES).text
        assert int(graph.value(article, TG.textLength)) == len(texts[article])
    checked = 0
    for evidence in graph.subjects(RDF.type, TG.Evidence):
        text = texts[graph.value(evidence, OA.hasSource)]
        selectors = list(graph.objects(evidence, OA.hasSelector))
        start = next(int(graph.value(s, OA.start)) for s in selectors if graph.value(s, OA.start) is not None)
        end = next(int(graph.value(s, OA.end)) for s in selectors if graph.value(s, OA.end) is not None)
        exact = next(str(graph.value(s, OA.exact)) for s in selectors if graph.value(s, OA.exact) is not None)
        assert 0 <= start <= end <= len(text) and text[start:end] == exact
        checked += 1
    assert checked > 20


def test_two_builds_give_the_same_graph(example_build: Path, tmp_path: Path) -> None:
    assert treatygraph("build", str(EXAMPLES), "--out", str(tmp_path), "--no-reason", "--no-validate").returncode == 0
    first = Graph().parse(example_build / "treatygraph.ttl")
    second = Graph().parse(tmp_path / "treatygraph.ttl")
    assert set(first) == set(second), "deterministic IRIs: the same input gives the same triples"


def test_certain_links_and_one_node_per_thing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "The Treaty of Elmbridge was signed on 4 May 1956 by the Soviet Union and the United Kingdom. "
        "It concerned fishing rights.\n",
        encoding="utf-8",
    )
    (corpus / "b.txt").write_text(
        "The Elmbridge Accord of 1958 was signed on 2 June 1958 by the Soviet Union and Korea.\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    assert treatygraph("build", str(corpus), "--out", str(out)).returncode == 0
    graph = Graph().parse(out / "treatygraph.ttl")
    assert (None, SKOS.exactMatch, WD.Q15180) in graph
    assert (None, SKOS.exactMatch, WD.Q145) in graph
    soviet = set(graph.subjects(SKOS.exactMatch, WD.Q15180))
    assert len(soviet) == 1, "the Soviet Union of both articles is one node"
    assert len(set(graph.subject_objects(TG.hasParty))) == 4
    report = json.loads((out / "report.json").read_text())
    assert "Korea" in report["links"]["ambiguous"], "a name the gazetteer cannot decide is reported, not guessed"
    korea = next(graph.subjects(RDFS.label, Literal("Korea", lang="en")))
    assert not list(graph.objects(korea, SKOS.exactMatch))


def test_two_articles_about_one_treaty_merge(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "one.txt").write_text(
        "The Treaty of Elmbridge was signed on 4 May 1956 by Norway and Denmark.\n", encoding="utf-8"
    )
    (corpus / "two.txt").write_text(
        "Treaty of Elmbridge\n\nThe Treaty of Elmbridge (Norwegian: Elmbridge-traktaten) was signed in 1956. It expired in 1976.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert treatygraph("build", str(corpus), "--out", str(out)).returncode == 0
    graph = Graph().parse(out / "treatygraph.ttl")
    treaties = set(graph.subjects(RDF.type, TG.Treaty))
    assert treaties == {URIRef("https://w3id.org/treatygraph/id/treaty/treaty-of-elmbridge-1956")}
    treaty = treaties.pop()
    assert len(set(graph.objects(treaty, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))) == 2
    assert {str(o) for o in graph.objects(treaty, TG.signedOn)} == {"1956-05-04"}, "the vaguer 1956 is folded in"


def test_impossible_dates_fail_validation_with_the_sentence(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bad.txt").write_text(
        "Treaty of Marlow\n\nThe Treaty of Marlow was signed on 5 May 1950 by Norway and Denmark. "
        "The treaty expired on 3 March 1940.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert treatygraph("build", str(corpus), "--out", str(out)).returncode == 0
    assert (out / "treatygraph.ttl").exists(), "a graph that fails validation is still written"
    result = treatygraph("validate", "--graph", str(out / "treatygraph.ttl"))
    assert result.returncode == 1
    assert "bad.txt" in result.stdout
    assert "The treaty expired on 3 March 1940." in result.stdout


def test_golden_graph_of_one_example(tmp_path: Path) -> None:
    """The asserted graph of one bundled article, compared as a graph (not as text) with the committed golden file."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    source = EXAMPLES / "07_treaty-of-ghent.txt"
    (corpus / source.name).write_bytes(source.read_bytes())
    out = tmp_path / "out"
    assert treatygraph("build", str(corpus), "--out", str(out), "--no-reason", "--no-validate").returncode == 0
    built = Graph().parse(out / "treatygraph.ttl")
    golden = Graph().parse(ROOT / "tests" / "fixtures" / "golden" / "treaty-of-ghent.ttl")
    assert isomorphic(built, golden)


def test_cli_errors_are_one_line_with_exit_2(tmp_path: Path) -> None:
    missing = treatygraph("build", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert missing.returncode == 2 and "nowhere" in missing.stderr and "Traceback" not in missing.stderr
    unknown = treatygraph("query", "no-such-query", "--graph", str(tmp_path / "g.ttl"))
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
