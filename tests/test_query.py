"""Canned queries on a hand-written graph (tests/fixtures/graphs_query/veldmark.ttl), parameters, renderers, CLI."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Identifier

from treatygraph import cli
from treatygraph.graph import label_key
from treatygraph.pipeline import BuildOptions, build
from treatygraph.query import (
    DEFAULT_MIN_CONFIDENCE,
    CannedQuery,
    QueryParam,
    QueryResult,
    bind_params,
    load_graph,
    load_queries,
    parse_header,
    parse_param_args,
    run_query,
    run_query_on_store,
    to_csv,
    to_sparql_json,
    to_table,
)
from treatygraph.store import load_store, substitute_variables
from treatygraph.types import TreatygraphError
from treatygraph.vocab import TG, XSD

FIXTURES = Path(__file__).parent / "fixtures" / "graphs_query"
GRAPH_FILE = FIXTURES / "veldmark.ttl"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ID = "https://w3id.org/treatygraph/id/"
VELDMARK = URIRef(ID + "treaty/treaty-of-veldmark-1850")
SECOND = URIRef(ID + "treaty/second-treaty-of-veldmark-1871")
ORSK = URIRef(ID + "treaty/pact-of-orsk-1905")
CONTRACT_QUERIES = ("treaties", "parties", "signers", "supersedes", "violations", "resolutions")
GHENT_ALIAS = "Treaty of Peace and Amity between His Britannic Majesty and the United States of America"


@pytest.fixture(scope="module")
def graph() -> Graph:
    return load_graph(GRAPH_FILE)


@pytest.fixture(scope="module")
def queries() -> dict[str, CannedQuery]:
    return load_queries()


def rows(graph: Graph, query: CannedQuery, **params: str) -> list[dict[str, str]]:
    result = run_query(graph, query, params)
    return [{k: str(v) for k, v in row.items()} for row in result.dicts()]


def pairs(found: list[dict[str, str]], *cols: str) -> set[tuple[str, ...]]:
    return {tuple(r.get(c, "") for c in cols) for r in found}


# ---------------------------------------------------------------- headers


def test_every_query_header_matches_its_projection(queries: dict[str, CannedQuery]) -> None:
    from rdflib.plugins.sparql import prepareQuery

    for query in queries.values():
        projected = tuple(str(v) for v in prepareQuery(query.text).algebra["PV"])
        assert projected == query.columns, query.name


def test_contract_queries_exist_with_the_columns_the_scorer_reads(queries: dict[str, CannedQuery]) -> None:
    needed = {
        "treaties": {"treaty", "label", "signed", "ended"},
        "parties": {"treaty", "treatyLabel", "partyLabel"},
        "signers": {"treaty", "treatyLabel", "signerLabel"},
        "supersedes": {"treaty", "treatyLabel", "earlierLabel", "relation"},
        "violations": {"treaty", "treatyLabel", "violatorLabel", "determinedByLabel"},
        "resolutions": {"resolution", "resolutionLabel", "date", "bodyLabel", "treaty"},
    }
    for name, columns in needed.items():
        assert columns <= set(queries[name].columns), name


def test_fact_queries_share_the_min_confidence_default(queries: dict[str, CannedQuery]) -> None:
    for name in (*CONTRACT_QUERIES, "in-force", "treaty", "party"):
        (param,) = [p for p in queries[name].params if p.name == "min_confidence"]
        assert param.default == DEFAULT_MIN_CONFIDENCE and param.datatype == "xsd:decimal"


def test_parse_header_reads_params_defaults_and_columns() -> None:
    header = parse_header(
        "# name: demo\n# answers: What?\n# param: when xsd:date = 1950-06-01  -- the day\n"
        "# param: who iri\n# columns: a b c\nSELECT ?a ?b ?c WHERE {}\n"
    )
    assert header.name == "demo" and header.columns == ("a", "b", "c")
    assert header.params == (
        QueryParam("when", "xsd:date", "1950-06-01", "the day"),
        QueryParam("who", "iri", None, ""),
    )


@pytest.mark.parametrize(
    "text",
    [
        "# answers: x\n# columns: a\n",  # no name
        "# name: x\n# columns: a\n",  # no answers
        "# name: x\n# answers: y\n# columns: a\n# param: p xsd:float\n",  # unknown type
        "# name: x\n# answers: y\n# columns: a\n# param: p xsd:date = soon\n",  # default not of its type
        "# name: x\n# answers: y\n# columns: a\n# param: p xsd:decimal = $NOPE\n",  # unknown shared default
    ],
)
def test_parse_header_rejects_bad_headers(text: str) -> None:
    with pytest.raises(TreatygraphError):
        parse_header(text)


def test_load_queries_names_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(TreatygraphError, match="no queries folder"):
        load_queries(tmp_path / "absent")


# ---------------------------------------------------------------- contract queries


def test_treaties_gives_a_row_per_label_and_alias(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    found = rows(graph, queries["treaties"])
    veldmark = [r for r in found if r["treaty"] == str(VELDMARK)]
    assert pairs(veldmark, "label", "kind") == {("Treaty of Veldmark", "label"), ("Veldmark Accord", "alias")}
    assert pairs(veldmark, "signed", "ended", "effective") == {("1850-03-12", "1871-09-30", "1850-04-01")}
    assert pairs(found, "treaty") == {(str(VELDMARK),), (str(SECOND),), (str(ORSK),)}


def test_treaties_keeps_partial_dates_as_given(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    result = run_query(graph, queries["treaties"], {})
    orsk = [r for r in result.dicts() if r["treaty"] == ORSK]
    assert {(r["signed"], r["ended"]) for r in orsk} == {
        (Literal("1905-06", datatype=XSD.gYearMonth), Literal("1914", datatype=XSD.gYear))
    }


def test_treaties_lang_param_lists_other_languages(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    assert ("Vertrag von Veldmark", "de") in pairs(rows(graph, queries["treaties"], lang="*"), "label", "labelLang")
    assert pairs(rows(graph, queries["treaties"], lang="de"), "label", "labelLang") == {("Vertrag von Veldmark", "de")}


def test_low_confidence_alias_appears_only_below_its_confidence(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    assert "Osterland Compact" not in {r["label"] for r in rows(graph, queries["treaties"])}
    assert "Osterland Compact" in {r["label"] for r in rows(graph, queries["treaties"], min_confidence="0.2")}


def test_parties_filters_by_min_confidence(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    default = pairs(rows(graph, queries["parties"]), "treatyLabel", "partyLabel")
    assert ("Treaty of Veldmark", "Duchy of Lindau") in default
    assert len(default) == 7
    strict = pairs(rows(graph, queries["parties"], min_confidence="0.9"), "treatyLabel", "partyLabel")
    assert strict == {
        ("Treaty of Veldmark", "Kingdom of Osterland"),
        ("Treaty of Veldmark", "Republic of Varnia"),
        ("Pact of Orsk", "Republic of Varnia"),
        ("Pact of Orsk", "Duchy of Lindau"),
    }


def test_signers_leave_out_a_signer_below_the_default(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    assert pairs(rows(graph, queries["signers"]), "treaty", "signerLabel") == {(str(VELDMARK), "Anton Brisk")}
    lenient = pairs(rows(graph, queries["signers"], min_confidence="0.1"), "treaty", "signerLabel")
    assert (str(SECOND), "Mira Quell") in lenient


def test_supersedes_reports_both_relations_with_the_best_confidence(
    graph: Graph, queries: dict[str, CannedQuery]
) -> None:
    found = rows(graph, queries["supersedes"])
    assert pairs(found, "treatyLabel", "earlierLabel", "relation", "confidence") == {
        ("Second Treaty of Veldmark", "Treaty of Veldmark", "supersedes", "0.85"),
        ("Pact of Orsk", "Second Treaty of Veldmark", "basedOn", "0.65"),
    }


def test_violations_from_nodes_and_bare_links(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    found = rows(graph, queries["violations"])
    assert pairs(found, "treatyLabel", "violatorLabel", "determinedByLabel", "date") == {
        ("Treaty of Veldmark", "Kingdom of Osterland", "Varnian Assembly Resolution 12", "1869-05-02"),
        ("Pact of Orsk", "Republic of Varnia", "", ""),
    }
    assert rows(graph, queries["violations"], min_confidence="0.8") == []


def test_resolutions(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    found = rows(graph, queries["resolutions"])
    assert pairs(found, "resolutionLabel", "date", "bodyLabel", "treaty", "number") == {
        ("Varnian Assembly Resolution 12", "1869-05-02", "Varnian Assembly", str(VELDMARK), "12")
    }
    strict = rows(graph, queries["resolutions"], min_confidence="0.95")
    assert strict == []


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("1849-01-01", set()),  # before any signing
        ("1850-03-31", set()),  # Veldmark signed 1850-03-12 but effective only from 1850-04-01
        ("1850-04-01", {VELDMARK}),
        ("1871-09-30", {VELDMARK, SECOND}),  # in force on the day it ends; "1871" counts from 1871-01-01
        ("1871-10-01", {SECOND}),  # after Veldmark ended
        ("1905-05-31", {SECOND}),  # Orsk signed "1905-06": from 1905-06-01
        ("1905-06-01", {SECOND, ORSK}),
        ("1914-01-02", {SECOND}),  # Orsk ended "1914": from 1914-01-01
    ],
)
def test_in_force_on_a_day(graph: Graph, queries: dict[str, CannedQuery], day: str, expected: set[URIRef]) -> None:
    found = run_query(graph, queries["in-force"], {"date": day}).dicts()
    assert {r["treaty"] for r in found} == expected


def test_in_force_ignores_an_end_date_below_min_confidence(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    after_end = {"date": "1920-01-01"}
    assert ORSK not in {r["treaty"] for r in run_query(graph, queries["in-force"], after_end).dicts()}
    # the end date's record has confidence 0.7, the signing date's 0.8
    lenient_on_end = {**after_end, "min_confidence": "0.75"}
    assert ORSK in {r["treaty"] for r in run_query(graph, queries["in-force"], lenient_on_end).dicts()}


def test_in_force_default_date_is_documented(queries: dict[str, CannedQuery]) -> None:
    (date_param,) = [p for p in queries["in-force"].params if p.name == "date"]
    assert date_param.default == "1950-06-01" and date_param.datatype == "xsd:date"


def test_treaty_by_label_any_case_gives_evidence_sentences(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    found = rows(graph, queries["treaty"], treaty="pact of ORSK")
    assert {r["treaty"] for r in found} == {str(ORSK)}
    party_rows = [r for r in found if r["property"].endswith("#hasParty") and r["valueLabel"] == "Duchy of Lindau"]
    assert pairs(party_rows, "quote", "begin", "end", "article", "articleTitle", "rule") == {
        (
            "Varnia and Lindau concluded the Pact of Orsk in June 1905.",
            "121",
            "190",
            ID + "article/002-orsk-bbbb2222",
            "Pact of Orsk",
            "sentence_between",
        )
    }


def test_treaty_by_iri_includes_incoming_links_and_each_record(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    found = rows(graph, queries["treaty"], treaty=str(SECOND))
    incoming = [r for r in found if r["subject"] == str(ORSK)]
    assert pairs(incoming, "property", "value") == {("https://w3id.org/treatygraph/ontology#basedOn", str(SECOND))}
    supersedes = [r for r in found if r["property"].endswith("#supersedes")]
    assert pairs(supersedes, "confidence", "article") == {
        ("0.6", ID + "article/001-veldmark-aaaa1111"),
        ("0.85", ID + "article/002-orsk-bbbb2222"),
    }
    assert "Mira Quell" not in {r.get("valueLabel") for r in found}  # its only record is at 0.4


def test_treaty_covers_its_violation_and_resolution_nodes(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    found = rows(graph, queries["treaty"], treaty="Veldmark Accord")
    subjects = {r["subject"] for r in found}
    assert {str(VELDMARK), ID + "violation/a1b2c3", ID + "resolution/varnian-assembly-resolution-12"} <= subjects
    dates = pairs([r for r in found if r["subject"] == ID + "violation/a1b2c3"], "property", "value")
    assert ("https://w3id.org/treatygraph/ontology#date", "1869-05-02") in dates


def test_treaty_label_with_quotes_and_braces_matches_nothing(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    assert rows(graph, queries["treaty"], treaty='Pact of Orsk" } UNION { ?treaty ?p ?o } #') == []
    assert rows(graph, queries["treaty"], treaty="x') || true || ('") == []


def test_party_covers_party_signer_and_violations(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    osterland = rows(graph, queries["party"], party="KINGDOM OF OSTERLAND")
    assert pairs(osterland, "role", "treaty", "determinedByLabel") == {
        ("party", str(VELDMARK), ""),
        ("party", str(SECOND), ""),
        ("violator", str(VELDMARK), ""),
        ("found-violating", str(VELDMARK), "Varnian Assembly Resolution 12"),
    }
    brisk = rows(graph, queries["party"], party=ID + "entity/anton-brisk")
    assert pairs(brisk, "role", "treatyLabel") == {("signer", "Treaty of Veldmark")}
    varnia = rows(graph, queries["party"], party="Republic of Varnia", min_confidence="0.8")
    assert pairs(varnia, "role", "treaty") == {("party", str(VELDMARK)), ("party", str(ORSK)), ("party", str(SECOND))}


# ---------------------------------------------------------------- a party by a name in any case (tg:nameKey)


def by_name(graph_file: Path, query: CannedQuery, on_store: bool) -> Callable[[str], set[tuple[str, ...]]]:
    """`party` or `treaty` (the query's parameter is its name) by a name: the rows, from the graph file parsed
    by rdflib or loaded into a pyoxigraph store."""
    target = load_store(graph_file) if on_store else load_graph(graph_file)

    def answer(name: str) -> set[tuple[str, ...]]:
        params = {query.name: name}
        result = run_query_on_store(target, query, params) if on_store else run_query(target, query, params)
        return {tuple(str(v) for v in row) for row in result.rows}

    return answer


@pytest.fixture(scope="module")
def built_ghent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The asserted graph `build` writes for one bundled article (parties, a body and signers)."""
    corpus = tmp_path_factory.mktemp("corpus")
    source = EXAMPLES / "07_treaty-of-ghent.txt"
    (corpus / source.name).write_bytes(source.read_bytes())
    out = tmp_path_factory.mktemp("out")
    build(corpus, out, BuildOptions(workers=1, reason=False, validate=False, store=False))
    return out / "treatygraph.ttl"


def test_every_agent_of_a_built_graph_has_the_key_of_each_label(built_ghent: Path) -> None:
    graph = load_graph(built_ghent)
    agents = {o for p in (TG.hasParty, TG.hasSigner, TG.violatedBy, TG.violator) for o in graph.objects(None, p)}
    assert URIRef(ID + "entity/Q30") in agents and len(agents) >= 5
    for agent in agents | set(graph.objects(None, TG.adoptedBy)):
        labels = {str(label) for label in graph.objects(agent, RDFS.label)}
        assert labels, agent
        assert set(graph.objects(agent, TG.nameKey)) == {Literal(label_key(label)) for label in labels}, agent
    assert (URIRef(ID + "entity/Q30"), TG.nameKey, Literal("united states of america")) in graph
    for kind in (TG.FactRecord, TG.Evidence, TG.Article):  # keys on treaties and agents only
        nodes = set(graph.subjects(RDF.type, kind))
        assert nodes and not any((node, TG.nameKey, None) in graph for node in nodes), kind


def test_every_treaty_of_a_built_graph_has_the_key_of_each_label_and_alias(built_ghent: Path) -> None:
    graph = load_graph(built_ghent)
    (treaty,) = set(graph.subjects(RDF.type, TG.Treaty))
    names = {str(o) for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel) for o in graph.objects(treaty, p)}
    assert len(names) == 2  # its title (label and preferred label) and its formal name (an alias)
    keys = set(graph.objects(treaty, TG.nameKey))
    assert keys == {Literal(label_key(name)) for name in names}
    assert keys == {Literal("treaty of ghent"), Literal(label_key(GHENT_ALIAS))}
    assert all(key.datatype is None and key.language is None for key in keys)  # plain strings, as the query binds
    nodes = set(graph.subjects(TG.nameKey, None))
    typed = {s for s in nodes if (s, RDF.type, TG.Treaty) in graph} | {
        o for p in (TG.hasParty, TG.hasSigner, TG.adoptedBy) for o in graph.objects(None, p)
    }
    assert nodes == typed  # nothing else has a key


@pytest.mark.parametrize("on_store", [False, True], ids=["rdflib", "store"])
@pytest.mark.parametrize(
    ("exact", "name", "role"),
    [
        ("United States of America", "UNITED STATES OF AMERICA", "party"),
        ("United States of America", "  united   States of\tAmerica ", "party"),  # whitespace runs: one space
        ("Henry Clay", "henry CLAY", "signer"),
    ],
)
def test_party_by_a_name_in_another_case_finds_it_by_its_key(
    built_ghent: Path, queries: dict[str, CannedQuery], on_store: bool, exact: str, name: str, role: str
) -> None:
    answer = by_name(built_ghent, queries["party"], on_store)
    expected = answer(exact)  # the exact name finds it, in the expected role (columns: party partyLabel role ...)
    assert expected and {row[2] for row in expected} == {role}
    assert answer(name) == expected
    assert answer("united states of") == set()  # a key is the whole label, not a prefix


def test_party_prefers_the_exact_label_to_another_case(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    """Only when no label is the name exactly are the keys looked up: an entity labelled in another case is
    not found by a name another entity has exactly."""
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    shouting = URIRef(ID + "entity/kingdom-of-osterland-shouting")
    copy.add((shouting, RDFS.label, Literal("KINGDOM OF OSTERLAND", lang="en")))
    copy.add((shouting, TG.nameKey, Literal("kingdom of osterland")))
    copy.add((URIRef(ID + "treaty/x"), TG.hasParty, shouting))
    record = URIRef(ID + "fact/x")
    for p, o in ((RDF.subject, URIRef(ID + "treaty/x")), (RDF.predicate, TG.hasParty), (RDF.object, shouting)):
        copy.add((record, p, o))
    copy.add((record, TG.confidence, Literal("0.9", datatype=XSD.decimal)))
    exact = pairs(rows(copy, queries["party"], party="Kingdom of Osterland"), "party")
    assert exact == {(ID + "entity/osterland",)}
    assert pairs(rows(copy, queries["party"], party="KINGDOM OF OSTERLAND"), "party") == {(str(shouting),)}
    either = pairs(rows(copy, queries["party"], party="kingdom of osterland"), "party")
    assert either == {(ID + "entity/osterland",), (str(shouting),)}


@pytest.mark.parametrize(("query", "ref"), [("party", "party_ref"), ("treaty", "treaty_ref")])
def test_the_name_queries_compute_the_key_as_the_writer_does(
    queries: dict[str, CannedQuery], query: str, ref: str
) -> None:
    """The key expression of party.rq and treaty.rq, run by pyoxigraph on the name, gives `label_key` of it:
    SPARQL's LCASE is str.lower(), and the same whitespace is collapsed."""
    (expression,) = re.findall(r"BIND\((REPLACE\(.*\)) AS \?key\)", queries[query].text)
    text = f"SELECT ?key WHERE {{ BIND({expression} AS ?key) }}"
    store = ox.Store()
    names = ["İstanbul", "ΣΊΣΥΦΟΣ ΟΔΟΣ", "STRASSE ß ẞ", "Ǆ ǅ", " \t A \r\n B  ", "A\u00a0B", "Côte D'Ivoire", ""]
    for name in names:
        (row,) = store.query(substitute_variables(text, {ref: ox.Literal(name)}))  # type: ignore[misc]
        assert row["key"].value == label_key(name), name
    assert label_key("STRASSE ß") == "strasse ß"  # not casefold(): LCASE keeps the ß


# ---------------------------------------------------------------- a treaty by a name in any case (tg:nameKey)


@pytest.mark.parametrize("on_store", [False, True], ids=["rdflib", "store"])
@pytest.mark.parametrize(
    ("exact", "name"),
    [
        ("Treaty of Ghent", "TREATY OF GHENT"),
        ("Treaty of Ghent", "  treaty   of\tGhent "),  # whitespace runs: one space
        (GHENT_ALIAS, GHENT_ALIAS.lower()),  # an alias
    ],
)
def test_treaty_by_a_name_in_another_case_finds_it_by_its_key(
    built_ghent: Path, queries: dict[str, CannedQuery], on_store: bool, exact: str, name: str
) -> None:
    answer = by_name(built_ghent, queries["treaty"], on_store)
    expected = answer(exact)  # the exact name finds the treaty, its facts and their evidence
    assert {row[0] for row in expected} == {ID + "treaty/treaty-of-ghent-1814"} and len(expected) > 20
    assert answer(name) == expected
    assert not any(row[2] == str(TG.nameKey) for row in expected)  # the keys are not rows: not statements
    assert answer("treaty of") == set()  # a key is the whole label, not a prefix


def test_treaty_prefers_the_exact_label_to_another_case(graph: Graph, queries: dict[str, CannedQuery]) -> None:
    """Only when no label or alias is the name exactly are the keys looked up: a treaty labelled in another case
    is not found by a name another treaty has exactly."""
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    shouting = URIRef(ID + "treaty/pact-of-orsk-shouting")
    copy.add((shouting, RDF.type, TG.Treaty))
    copy.add((shouting, RDFS.label, Literal("PACT OF ORSK", lang="en")))
    copy.add((shouting, TG.nameKey, Literal("pact of orsk")))

    def treaties(name: str) -> set[str]:
        return {r["treaty"] for r in rows(copy, queries["treaty"], treaty=name)}

    assert treaties("Pact of Orsk") == {str(ORSK)}
    assert treaties("PACT OF ORSK") == {str(shouting)}
    assert treaties("pact of orsk") == {str(ORSK), str(shouting)}
    assert treaties("vertrag VON veldmark") == {str(VELDMARK)}  # an alias in German: any language


# ---------------------------------------------------------------- parameters


def test_bind_params_types_values_and_applies_defaults(queries: dict[str, CannedQuery]) -> None:
    bound = bind_params(queries["parties"], {})
    assert bound == {"min_confidence": Literal(DEFAULT_MIN_CONFIDENCE, datatype=XSD.decimal)}
    assert bind_params(queries["parties"], {"min_confidence": "0.9"})["min_confidence"] == Literal(
        "0.9", datatype=XSD.decimal
    )


@pytest.mark.parametrize(
    ("given", "named"),
    [({"min_confidence": "high"}, "min_confidence"), ({"confidence": "0.5"}, "confidence"), ({"lang": ""}, None)],
)
def test_bind_params_errors_name_the_param(
    queries: dict[str, CannedQuery], given: dict[str, str], named: str | None
) -> None:
    if named is None:  # an empty string is a valid xsd:string
        bind_params(queries["treaties"], given)
        return
    with pytest.raises(TreatygraphError, match=named):
        bind_params(queries["treaties"], given)


def test_required_and_iri_params() -> None:
    query = CannedQuery(
        "demo",
        "?",
        (QueryParam("when", "xsd:date", None), QueryParam("who", "iri-or-label", "x")),
        ("a",),
        "SELECT ?a WHERE {}",
    )
    with pytest.raises(TreatygraphError, match="when"):
        bind_params(query, {})
    with pytest.raises(TreatygraphError, match="when"):
        bind_params(query, {"when": "1950-02-30"})
    iri = bind_params(query, {"when": "1950-06-01", "who": str(VELDMARK)})
    assert iri == {"when": Literal("1950-06-01", datatype=XSD.date), "who_ref": VELDMARK}
    label = bind_params(query, {"when": "1950-06-01", "who": 'Pact "of" Orsk'})
    assert label["who_ref"] == Literal('Pact "of" Orsk')


def test_parse_param_args() -> None:
    assert parse_param_args(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(TreatygraphError, match="KEY=VALUE"):
        parse_param_args(["novalue"])


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_hostile_string_params_are_bound_not_pasted(text: str) -> None:
    """A quote, brace or SPARQL keyword in a value is data: the query still parses and matches it literally."""
    g = Graph()
    g.add((VELDMARK, URIRef("urn:p"), Literal(text)))
    query = CannedQuery(
        "echo",
        "?",
        (QueryParam("needle", "xsd:string", None),),
        ("s",),
        "SELECT ?s WHERE { ?s <urn:p> ?o . FILTER(STR(?o) = STR(?needle)) }",
    )
    result = run_query(g, query, {"needle": text})
    assert [row["s"] for row in result.dicts()] == [VELDMARK]
    other = run_query(g, query, {"needle": text + '"} UNION { ?s ?p ?o }#'})
    assert other.rows == ()


# ---------------------------------------------------------------- renderers


def sample_result() -> QueryResult:
    return QueryResult(
        ("s", "label", "when", "missing"),
        (
            (VELDMARK, Literal("Treaty of Veldmark", lang="en"), Literal("1850-03-12", datatype=XSD.date), None),
            (ORSK, Literal('Pact, "of" Orsk'), None, None),
        ),
    )


def test_sparql_json_has_w3c_shape() -> None:
    data = json.loads(to_sparql_json(sample_result()))
    assert data["head"]["vars"] == ["s", "label", "when", "missing"]
    first, second = data["results"]["bindings"]
    assert first == {
        "s": {"type": "uri", "value": str(VELDMARK)},
        "label": {"type": "literal", "value": "Treaty of Veldmark", "xml:lang": "en"},
        "when": {"type": "literal", "value": "1850-03-12", "datatype": str(XSD.date)},
    }
    assert "missing" not in second and second["label"] == {"type": "literal", "value": 'Pact, "of" Orsk'}


def test_csv_round_trips_values() -> None:
    parsed = list(csv.reader(io.StringIO(to_csv(sample_result()))))
    assert parsed[0] == ["s", "label", "when", "missing"]
    assert parsed[2] == [str(ORSK), 'Pact, "of" Orsk', "", ""]


def test_table_is_aligned_and_counts_rows() -> None:
    lines = to_table(sample_result()).splitlines()
    assert lines[0].split() == ["s", "label", "when", "missing"]
    assert lines[2].startswith("id:treaty/treaty-of-veldmark-1850")
    assert lines[3].index("Pact") == lines[2].index("Treaty of Veldmark")
    assert lines[-1] == "(2 rows)"


# ---------------------------------------------------------------- graphs


def test_load_graph_names_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(TreatygraphError, match="no such graph file"):
        load_graph(tmp_path / "absent.ttl")
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix a: <http://x/> .\n\na:b a:c a:d/e .\n")
    with pytest.raises(TreatygraphError, match=r"broken\.ttl:3: cannot parse as turtle"):
        load_graph(broken)
    with pytest.raises(TreatygraphError, match="unknown RDF file extension"):
        load_graph(tmp_path / "graph.txt")


# ---------------------------------------------------------------- CLI


@pytest.fixture()
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cli, "COMMANDS", ("query",))

    def invoke(*argv: str) -> tuple[int, str, str]:
        try:
            code = cli.main(list(argv))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_cli_json_is_sparql_results(run_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_cli("query", "parties", "--graph", str(GRAPH_FILE), "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["head"]["vars"][:3] == ["treaty", "treatyLabel", "partyLabel"]
    assert len(data["results"]["bindings"]) == 7


def test_cli_param_changes_the_answer(run_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run_cli(
        "query", "parties", "--graph", str(GRAPH_FILE), "--format", "csv", "--param", "min_confidence=0.9"
    )
    assert code == 0 and len(out.strip().splitlines()) == 1 + 4


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("query", "nosuch", "--graph", "x.ttl"), "unknown query 'nosuch'; known: "),
        (("query", "parties", "--graph", str(GRAPH_FILE), "--param", "min_confidence"), "expected KEY=VALUE"),
        (("query", "parties", "--graph", "missing.ttl"), "missing.ttl: no such graph file"),
        (("query", "parties", "--graph", str(GRAPH_FILE), "--param", "min_confidence=lots"), "min_confidence"),
        (("query", "parties", "--graph", str(GRAPH_FILE), "--format", "xml"), "invalid choice"),
    ],
)
def test_cli_errors_are_one_line_with_exit_2(run_cli, argv: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_cli(*argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_cli_unknown_query_lists_known_names(run_cli) -> None:  # type: ignore[no-untyped-def]
    _, _, err = run_cli("query", "nosuch", "--graph", str(GRAPH_FILE))
    for name in CONTRACT_QUERIES:
        assert name in err


def test_cli_list(run_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run_cli("query", "--list")
    assert code == 0
    for name in CONTRACT_QUERIES:
        assert f"{name}: " in out


# ---------------------------------------------------------------- the same answers from pyoxigraph


PARITY_CASES = [
    ("treaties", {}),
    ("treaties", {"lang": "*", "min_confidence": "0.1"}),
    ("parties", {"min_confidence": "0.9"}),
    ("signers", {}),
    ("supersedes", {}),
    ("violations", {}),
    ("resolutions", {}),
    ("in-force", {"date": "1905-06-01"}),
    ("treaty", {"treaty": "pact of orsk"}),
    ("treaty", {"treaty": str(SECOND)}),
    ("treaty", {"treaty": 'x" } UNION { ?s ?p ?o } #'}),
    ("party", {"party": "kingdom of osterland"}),
    ("party", {"party": ID + "entity/varnia", "min_confidence": "0.1"}),
    ("party", {"party": "Republic of Varnia", "min_confidence": "0.8"}),
    ("party", {"party": ID + "entity/anton-brisk"}),
    ("party", {"party": 'x" } UNION { ?s ?p ?o } #'}),
]


@pytest.mark.parametrize(("name", "params"), PARITY_CASES)
def test_pyoxigraph_gives_the_same_rows(
    graph: Graph, queries: dict[str, CannedQuery], name: str, params: dict[str, str]
) -> None:
    """The endpoint runs these queries on pyoxigraph with the parameters written in as escaped terms."""
    import pyoxigraph as ox

    from treatygraph.store import substitute_variables

    def ox_term(term: Identifier) -> ox.NamedNode | ox.Literal:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        assert isinstance(term, Literal)
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)

    query = queries[name]
    expected = sorted(sorted(row.items()) for row in rows(graph, query, **params))
    store = ox.Store()
    store.load(GRAPH_FILE.read_bytes(), ox.RdfFormat.TURTLE)
    text = substitute_variables(query.text, {k: ox_term(v) for k, v in bind_params(query, params).items()})
    solutions = store.query(text)
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    found = sorted(sorted((n, row[n].value) for n in names if row[n] is not None) for row in solutions)  # type: ignore[union-attr]
    assert found == expected
