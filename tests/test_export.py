"""Export: every format holds the same statements; TriG splits them by article; JSON-LD has readable keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

from treatygraph import cli
from treatygraph.export import EXPORT_FORMATS, base_of, export_graph, load_context, serialize, split_by_article
from treatygraph.query import load_graph
from treatygraph.types import TreatygraphError
from treatygraph.vocab import TG

FIXTURES = Path(__file__).parent / "fixtures" / "graphs_query"
GRAPH_FILE = FIXTURES / "veldmark.ttl"
INFERRED_FILE = FIXTURES / "veldmark-inferred.ttl"
GOLDEN = FIXTURES / "golden"
ID = "https://w3id.org/treatygraph/id/"
ARTICLE_1 = URIRef(ID + "article/001-veldmark-aaaa1111")
ARTICLE_2 = URIRef(ID + "article/002-orsk-bbbb2222")
INFERRED_GRAPH = URIRef(ID + "graph/inferred")
VELDMARK = URIRef(ID + "treaty/treaty-of-veldmark-1850")
SECOND = URIRef(ID + "treaty/second-treaty-of-veldmark-1871")
PARSERS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld"}


@pytest.fixture(scope="module")
def graph() -> Graph:
    return load_graph(GRAPH_FILE)


def union_without(dataset: Dataset, *names: URIRef) -> Graph:
    union = Graph()
    for context in dataset.graphs():
        if context.identifier not in names:
            for triple in context:
                union.add(triple)
    return union


def parse_trig(data: bytes) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=data, format="trig")
    return dataset


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", sorted(PARSERS))
def test_flat_formats_round_trip(graph: Graph, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"g{EXPORT_FORMATS[fmt][1]}"
    export_graph(graph, fmt, out)
    back = Graph()
    back.parse(out, format=PARSERS[fmt])
    assert isomorphic(back, graph)


def test_trig_round_trips_apart_from_the_inferred_graph(graph: Graph) -> None:
    inferred = load_graph(INFERRED_FILE)
    dataset = parse_trig(serialize(graph, "trig", inferred))
    assert isomorphic(union_without(dataset, INFERRED_GRAPH), graph)
    assert isomorphic(dataset.graph(INFERRED_GRAPH), inferred)


def test_export_from_trig_drops_the_inferred_graph(graph: Graph, tmp_path: Path) -> None:
    trig = tmp_path / "g.trig"
    export_graph(graph, "trig", trig, load_graph(INFERRED_FILE))
    again = tmp_path / "again.ttl"
    export_graph(load_graph(trig), "turtle", again)
    assert isomorphic(load_graph(again), graph)


@settings(max_examples=40, deadline=None)
@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    st.sampled_from(["en", "zh-Hant", None]),
)
def test_any_label_survives_every_format(label: str, lang: str | None) -> None:
    g = Graph()
    g.add((VELDMARK, RDF.type, TG.Treaty))
    g.add((VELDMARK, RDFS.label, Literal(label, lang=lang)))
    for fmt, parser in PARSERS.items():
        back = Graph()
        back.parse(data=serialize(g, fmt), format=parser)
        assert isomorphic(back, g), fmt
    assert isomorphic(union_without(parse_trig(serialize(g, "trig"))), g)


# ---------------------------------------------------------------- golden files


def test_turtle_matches_golden(graph: Graph) -> None:
    golden = Graph()
    golden.parse(GOLDEN / "veldmark.ttl", format="turtle")
    exported = Graph()
    exported.parse(data=serialize(graph, "turtle"), format="turtle")
    assert isomorphic(exported, golden)


def test_trig_matches_golden_graph_by_graph(graph: Graph) -> None:
    golden = Dataset()
    golden.parse(GOLDEN / "veldmark.trig", format="trig")
    exported = parse_trig(serialize(graph, "trig", load_graph(INFERRED_FILE)))
    names = {c.identifier for c in exported.graphs() if len(c)}
    assert names == {c.identifier for c in golden.graphs() if len(c)} == {ARTICLE_1, ARTICLE_2, INFERRED_GRAPH}
    for name in names:
        assert isomorphic(exported.graph(name), golden.graph(name)), name


# ---------------------------------------------------------------- split by article


def test_a_fact_goes_to_every_article_whose_record_cites_it(graph: Graph) -> None:
    dataset = split_by_article(graph)
    first, second = dataset.graph(ARTICLE_1), dataset.graph(ARTICLE_2)
    supersedes = (SECOND, TG.supersedes, VELDMARK)
    assert supersedes in first and supersedes in second  # records in both articles
    lindau = (VELDMARK, TG.hasParty, URIRef(ID + "entity/lindau"))
    assert lindau in first and lindau not in second
    record = URIRef(ID + "fact/s-supersedes-1")
    assert (record, TG.confidence, None) in first and (record, None, None) not in second


def test_records_bring_their_evidence_activity_and_article(graph: Graph) -> None:
    second = split_by_article(graph).graph(ARTICLE_2)
    evidence = URIRef(ID + "evidence/002-orsk-bbbb2222-121-190")
    quote = URIRef(str(evidence) + "#quote")
    assert (evidence, None, ARTICLE_2) in second and (quote, None, None) in second
    assert (URIRef(ID + "activity/002-orsk-bbbb2222-0.1.0"), None, ARTICLE_2) in second
    assert (ARTICLE_2, None, None) in second and (ARTICLE_1, None, None) not in second


def test_entity_descriptions_are_copied_to_each_article_that_mentions_them(graph: Graph) -> None:
    dataset = split_by_article(graph)
    varnia_label = (URIRef(ID + "entity/varnia"), RDFS.label, Literal("Republic of Varnia", lang="en"))
    assert varnia_label in dataset.graph(ARTICLE_1) and varnia_label in dataset.graph(ARTICLE_2)
    place_label = (URIRef(ID + "place/veldmark"), RDFS.label, Literal("Veldmark", lang="en"))
    assert place_label in dataset.graph(ARTICLE_1) and place_label not in dataset.graph(ARTICLE_2)


def test_statements_no_article_accounts_for_go_to_the_unattributed_graph(graph: Graph) -> None:
    extended = Graph()
    for triple in graph:
        extended.add(triple)
    stray = (URIRef(ID + "entity/nobody"), RDFS.label, Literal("Nobody"))
    extended.add(stray)
    dataset = split_by_article(extended)
    assert stray in dataset.graph(URIRef(ID + "graph/unattributed"))
    assert isomorphic(union_without(dataset), extended)


def test_base_comes_from_article_iris() -> None:
    g = Graph()
    article = URIRef("http://example.org/kb/article/x-12345678")
    g.add((article, RDF.type, TG.Article))
    g.add((URIRef("http://example.org/kb/treaty/t"), URIRef("urn:p"), Literal("v")))
    assert base_of(g) == "http://example.org/kb/"
    names = {c.identifier for c in split_by_article(g).graphs() if len(c)}
    assert names == {article, URIRef("http://example.org/kb/graph/unattributed")}


# ---------------------------------------------------------------- JSON-LD


def test_jsonld_uses_readable_keys(graph: Graph) -> None:
    nodes = {node["id"]: node for node in json.loads(serialize(graph, "jsonld"))["@graph"]}
    veldmark = nodes[str(VELDMARK)]
    assert veldmark["label"] == {"en": "Treaty of Veldmark"}
    assert veldmark["signedOn"] == "1850-03-12" and veldmark["endedHow"] == "Terminated"
    assert set(veldmark["hasParty"]) == {ID + "entity/osterland", ID + "entity/varnia", ID + "entity/lindau"}
    assert "Treaty" in veldmark["type"]
    assert nodes[str(SECOND)]["signedInYear"] == "1871"
    record = nodes[ID + "fact/v-party-lindau"]
    assert record["predicate"] == "tg:hasParty" and record["confidence"] == "0.6"


def test_context_declares_dates_and_links() -> None:
    context = load_context()
    assert context["signedOn"] == {"@id": "tg:signedOn", "@type": "xsd:date"}
    assert context["hasParty"]["@type"] == "@id"


# ---------------------------------------------------------------- errors and CLI


def test_unknown_format_and_inferred_outside_trig_are_refused(graph: Graph) -> None:
    with pytest.raises(TreatygraphError, match="unknown export format"):
        serialize(graph, "rdfxml")
    with pytest.raises(TreatygraphError, match="only in TriG"):
        serialize(graph, "turtle", Graph())


@pytest.fixture()
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cli, "COMMANDS", ("export",))

    def invoke(*argv: str) -> tuple[int, str, str]:
        try:
            code = cli.main(list(argv))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_cli_trig_picks_up_inferred_next_to_the_graph(run_cli, graph: Graph, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "treatygraph.ttl").write_bytes(GRAPH_FILE.read_bytes())
    (tmp_path / "inferred.ttl").write_bytes(INFERRED_FILE.read_bytes())
    out = tmp_path / "share" / "treatygraph.trig"
    code, _, err = run_cli(
        "export", "--graph", str(tmp_path / "treatygraph.ttl"), "--format", "trig", "--out", str(out)
    )
    assert code == 0 and "wrote" in err
    dataset = parse_trig(out.read_bytes())
    assert isomorphic(dataset.graph(INFERRED_GRAPH), load_graph(INFERRED_FILE))
    assert isomorphic(union_without(dataset, INFERRED_GRAPH), graph)


def test_cli_jsonld_writes_the_file(run_cli, graph: Graph, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "g.jsonld"
    code, _, _ = run_cli("export", "--graph", str(GRAPH_FILE), "--format", "jsonld", "--out", str(out))
    assert code == 0 and isomorphic(load_graph(out), graph)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--graph", "missing.ttl", "--format", "nt"), "missing.ttl: no such graph file"),
        (("--graph", str(GRAPH_FILE), "--format", "nt", "--inferred", str(INFERRED_FILE)), "trig only"),
        (("--graph", str(GRAPH_FILE), "--format", "rdfxml"), "invalid choice"),
    ],
)
def test_cli_errors_are_one_line_with_exit_2(run_cli, tmp_path: Path, extra: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out.nt"
    code, _, err = run_cli("export", *extra, "--out", str(out))
    assert code == 2 and err.count("\n") == 1 and message in err
    assert not out.exists()
