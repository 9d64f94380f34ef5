"""Validation: impossible facts are violations, missing ones warnings, and every problem is traced to the
article file and sentence it came from; the CLI exits 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from treatygraph.cli import main
from treatygraph.graph import label_key
from treatygraph.types import TreatygraphError
from treatygraph.validate import ValidationReport, load_graph, render_json, render_text, validate
from treatygraph.vocab import DEFAULT_BASE, OA, TG

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "graphs"
KESSEL = URIRef(DEFAULT_BASE + "treaty/treaty-of-kessel-1950")
VELLMAR = URIRef(DEFAULT_BASE + "treaty/treaty-of-vellmar-1950")


def fixture(name: str) -> Graph:
    return load_graph(FIXTURES / name)


def violations(report: ValidationReport) -> list:
    return [result for result in report.results if result.severity == "Violation"]


def test_conforming_corpus_has_no_violations() -> None:
    report = validate(fixture("lineage.trig"))
    assert report.conforms
    assert violations(report) == []
    # the two treaties only mentioned in passing have no signing date: warnings, traced to where they are named
    warned = {(result.focus_label, result.article) for result in report.results}
    assert warned == {
        ("Pact of Dunmere", "articles/treaty-of-orrin.txt"),
        ("Accord of Tamsk", "articles/convention-of-ilse.txt"),
    }


def test_treaty_that_ends_before_it_was_signed() -> None:
    report = validate(fixture("ended-before-signed.trig"))
    assert not report.conforms
    [problem] = violations(report)
    assert problem.focus == str(KESSEL) and problem.focus_label == "Treaty of Kessel"
    assert problem.path == "tg:endedOn" and problem.value == "1940-03-03"
    assert "1950-05-05" in problem.message
    assert problem.article == "articles/treaty-of-kessel.txt"
    assert problem.quote == "It expired on 3 March 1940."
    text = (FIXTURES / problem.article).read_text(encoding="utf-8")
    assert problem.begin is not None and text[problem.begin : problem.end] == problem.quote


def test_text_report_names_the_article_and_quotes_the_sentence() -> None:
    text = render_text(validate(fixture("ended-before-signed.trig")))
    assert "does NOT conform" in text
    assert "articles/treaty-of-kessel.txt" in text
    assert '"It expired on 3 March 1940."' in text
    assert "Treaty of Kessel" in text and "tg:endedOn" in text and "1940-03-03" in text
    assert "VIOLATION" in text


def test_party_typed_person_is_a_violation() -> None:
    report = validate(fixture("person-party.trig"))
    [problem] = violations(report)
    assert problem.path == "tg:hasParty" and problem.value_label == "Ada Morrow"
    assert problem.article == "articles/pact-of-lorn.txt"
    assert "Ada Morrow" in (problem.quote or "")


def test_missing_signing_date_is_only_a_warning() -> None:
    report = validate(fixture("no-signing-date.trig"))
    assert report.conforms
    [warning] = report.results
    assert warning.severity == "Warning" and warning.path == "tg:signedOn" and warning.value is None
    assert warning.article == "articles/memorandum-of-brisk.txt"


def test_quote_whose_length_disagrees_with_its_offsets() -> None:
    report = validate(fixture("bad-quote.trig"))
    [problem] = violations(report)
    assert problem.path == "oa:exact"
    assert "118" in problem.message and "117" in problem.message
    assert problem.article == "articles/memorandum-of-brisk.txt"
    assert (problem.begin, problem.end) == (21, 139)


def test_evidence_beyond_the_end_of_the_text() -> None:
    graph = fixture("no-signing-date.trig")
    article = next(graph.subjects(RDF.type, TG.Article))
    graph.set((article, TG.textLength, Literal(50)))
    messages = [result.message for result in violations(validate(graph))]
    assert any("after the end of its article's text (50 characters)" in message for message in messages)


def test_backwards_span() -> None:
    graph = fixture("no-signing-date.trig")
    position = next(graph.subjects(RDF.type, OA.TextPositionSelector))
    graph.set((position, OA.start, Literal(500, datatype=XSD.nonNegativeInteger)))
    messages = [result.message for result in violations(validate(graph))]
    assert any("empty or backwards" in message for message in messages)


def test_ill_formed_date_is_a_violation() -> None:
    graph = fixture("ended-before-signed.trig")
    graph.remove((KESSEL, TG.endedOn, None))
    graph.add((KESSEL, TG.endedOn, Literal("3 March 1940")))  # a plain string, not a date
    problems = violations(validate(graph))
    assert any("not a valid date" in result.message and result.path == "tg:endedOn" for result in problems)


def test_fact_without_a_record_and_record_without_a_fact() -> None:
    graph = fixture("lineage.trig")
    graph.remove((VELLMAR, TG.effectiveOn, None))  # its record now describes a missing fact
    graph.add((VELLMAR, TG.basedOn, URIRef(DEFAULT_BASE + "treaty/treaty-of-orrin-1931")))  # no record
    messages = {(result.message.split(":")[0], result.path) for result in violations(validate(graph))}
    assert ("No sentence backs this fact", "tg:basedOn") in messages
    assert ("This record describes a fact that is not in the graph.", "rdf:object") in messages


def test_name_keys_are_no_facts_and_need_no_record() -> None:
    """A treaty's tg:nameKey values (its labels in lower case, for lookups) have no record, and are not asked to."""
    graph = fixture("lineage.trig")
    treaties = set(graph.subjects(RDF.type, TG.Treaty))
    for treaty in treaties:
        for label in set(graph.objects(treaty, RDFS.label)):
            graph.add((treaty, TG.nameKey, Literal(label_key(str(label)))))
    assert len(set(graph.triples((None, TG.nameKey, None)))) >= len(treaties) > 1
    report = validate(graph)
    assert report.conforms and violations(report) == []
    assert report == validate(graph, sparql_per_focus=True)


def test_violation_without_violator() -> None:
    graph = fixture("lineage.trig")
    violation = next(graph.subjects(RDF.type, TG.Violation))
    graph.remove((violation, TG.violator, None))
    problems = violations(validate(graph))
    assert any(result.message.startswith("A violation must name who violated") for result in problems)
    traced = [result for result in problems if result.message.startswith("A violation must name who")][0]
    assert traced.article == "articles/convention-of-ilse.txt"  # traced through the violation's other records


@pytest.mark.parametrize("name", sorted(path.name for path in FIXTURES.glob("*.trig")))
def test_fast_sparql_gives_the_same_results_as_pyshacl_per_focus(name: str) -> None:
    graph = fixture(name)
    assert validate(graph) == validate(graph, sparql_per_focus=True)


def test_fixture_quotes_match_their_article_texts() -> None:
    """The fixtures follow the graph contract: each quote is text[start:end] of its article, except the one
    bad-quote.trig gets wrong on purpose."""
    for path in FIXTURES.glob("*.trig"):
        graph = load_graph(path)
        for evidence in graph.subjects(RDF.type, TG.Evidence):
            article = graph.value(evidence, OA.hasSource)
            text = (FIXTURES / str(graph.value(article, TG.sourcePath))).read_text(encoding="utf-8")
            assert str(graph.value(article, TG.textLength)) == str(len(text))
            start, end, exact = selector_values(graph, evidence)
            deliberately_wrong = path.name == "bad-quote.trig" and "fishing" in exact
            assert (text[start:end] == exact) != deliberately_wrong, evidence


def selector_values(graph: Graph, evidence: URIRef) -> tuple[int, int, str]:
    found: dict[str, str] = {}
    for selector in graph.objects(evidence, OA.hasSelector):
        for name, prop in (("start", OA.start), ("end", OA.end), ("exact", OA.exact)):
            value = graph.value(selector, prop)
            if value is not None:
                found[name] = str(value)
    return int(found["start"]), int(found["end"]), found["exact"]


def test_json_report() -> None:
    payload = json.loads(render_json(validate(fixture("person-party.trig"))))
    assert payload["conforms"] is False and payload["violations"] == 1
    [result] = payload["results"]
    assert result["article"] == "articles/pact-of-lorn.txt" and result["begin"] == 14


def test_load_graph_leaves_out_the_inferred_named_graph(tmp_path: Path) -> None:
    dataset = Dataset()
    dataset.parse(FIXTURES / "person-party.trig", format="trig")
    inferred = dataset.graph(URIRef(DEFAULT_BASE + "graph/inferred"))
    # An inferred triple the shapes would accept if it were asserted.
    inferred.add((URIRef(DEFAULT_BASE + "entity/ada-morrow"), RDF.type, TG.Party))
    path = tmp_path / "graph.trig"
    path.write_text(dataset.serialize(format="trig"), encoding="utf-8")
    assert (URIRef(DEFAULT_BASE + "entity/ada-morrow"), RDF.type, TG.Party) not in load_graph(path)
    assert not validate(load_graph(path)).conforms


# ---------------------------------------------------------------- the command


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--graph", str(FIXTURES / "ended-before-signed.trig"))
    assert code == 1 and "articles/treaty-of-kessel.txt" in out and "It expired on 3 March 1940." in out
    code, out, _ = run_cli(capsys, "--graph", str(FIXTURES / "no-signing-date.trig"))
    assert code == 0 and "WARNING" in out
    code, out, _ = run_cli(capsys, "--graph", str(FIXTURES / "person-party.trig"), "--format", "json")
    assert code == 1 and json.loads(out)["violations"] == 1


def test_cli_bad_input_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run_cli(capsys, "--graph", str(tmp_path / "missing.ttl"))
    assert code == 2 and out == "" and err.count("\n") == 1 and "missing.ttl" in err
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "--graph", str(broken))
    assert code == 2 and err.count("\n") == 1 and "broken.ttl" in err and "Traceback" not in err


def test_cli_usage_error_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "treatygraph", "validate"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2 and "--graph" in result.stderr


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200), st.sampled_from([".ttl", ".trig", ".nt", ".jsonld", ".rdf", ".nq"]))
def test_load_graph_never_crashes_on_garbage(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("garbage") / f"graph{suffix}"
    path.write_bytes(data)
    try:
        graph = load_graph(path)
    except TreatygraphError as err:
        assert str(path) in str(err) and "\n" not in str(err)
    else:
        assert isinstance(graph, Graph)
