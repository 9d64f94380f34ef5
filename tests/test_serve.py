"""The read-only endpoint: a real `treatygraph serve` process, spoken to over HTTP with the SPARQL protocol."""

from __future__ import annotations

import html
import http.client
import json
import selectors
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from rdflib import Graph
from rdflib.compare import isomorphic

from treatygraph import store as st
from treatygraph.export import load_context
from treatygraph.query import load_graph, load_queries, run_query
from treatygraph.serve import entity_iris, ranked_types
from treatygraph.types import TreatygraphError

FIXTURES = Path(__file__).parent / "fixtures" / "share"
MINI = FIXTURES / "mini.ttl"
MINI_TRIPLES = len(list(ox.parse(path=str(MINI))))
ID = "https://w3id.org/treatygraph/id/"
TG = "https://w3id.org/treatygraph/ontology#"
RESULT_CAP = 50


# ---------------------------------------------------------------- a server process


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str  # "http://127.0.0.1:PORT/"
    log: Path

    @property
    def port(self) -> int:
        return int(urllib.parse.urlsplit(self.url).port or 0)


def start_server(graph: Path, *extra: str) -> Server:
    """`treatygraph serve` on a free port (--port 0); returns once it has printed its address."""
    log = Path(tempfile.mkstemp(prefix="treatygraph-serve-", suffix=".log")[1])
    command = [sys.executable, "-m", "treatygraph", "serve", "--graph", str(graph), "--port", "0", *extra]
    with log.open("w") as err:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True)
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    line = process.stdout.readline() if selector.select(timeout=90) else ""
    if not line.startswith("serving "):
        stop_server(Server(process, "", log))
        raise RuntimeError(f"serve did not start: {line!r} {log.read_text()[-2000:]}")
    return Server(process, line.split()[1], log)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    if server.process.stdout:
        server.process.stdout.close()
    server.log.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = start_server(MINI, "--timeout", "2", "--max-results", str(RESULT_CAP), "--max-body", "4096")
    try:
        yield running
    finally:
        stop_server(running)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()

    def json(self) -> dict:
        return json.loads(self.body)


def request(server: Server, method: str, path: str, body: bytes | None = None, **headers: str) -> Reply:
    """One raw HTTP request: the path goes out exactly as given (no normalisation of ../ or %2e)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def get_query(server: Server, query: str, accept: str | None = None) -> Reply:
    headers = {"Accept": accept} if accept else {}
    return request(server, "GET", "/sparql?" + urllib.parse.urlencode({"query": query}), **headers)


def local_store() -> ox.Store:
    return st.load_store(MINI)


PARTY_QUERY = """PREFIX tg: <https://w3id.org/treatygraph/ontology#>
SELECT ?treaty ?party WHERE { ?treaty tg:hasParty ?party } ORDER BY ?treaty ?party"""
RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}


# ---------------------------------------------------------------- SPARQL protocol


@pytest.mark.parametrize("media_type", sorted(RESULT_FORMATS))
def test_select_answers_in_every_results_format(server: Server, media_type: str) -> None:
    reply = get_query(server, PARTY_QUERY, accept=media_type)
    assert reply.status == 200 and reply.media_type == media_type
    expected = [(row["treaty"], row["party"]) for row in local_store().query(PARTY_QUERY)]  # type: ignore[union-attr]
    if media_type == "text/csv":  # CSV loses term kinds: compare the values
        got_values = [tuple(line.split(",")) for line in reply.body.decode().splitlines()[1:]]
        assert got_values == [(t.value, p.value) for t, p in expected]
        return
    parsed = ox.parse_query_results(reply.body, RESULT_FORMATS[media_type])
    assert [(row["treaty"], row["party"]) for row in parsed] == expected  # type: ignore[union-attr]
    assert len(expected) == 3


def test_post_direct_and_form_encoded_give_the_same_answer(server: Server) -> None:
    direct = request(server, "POST", "/sparql", PARTY_QUERY.encode(), Content_Type="application/sparql-query")
    form = request(
        server,
        "POST",
        "/sparql",
        urllib.parse.urlencode({"query": PARTY_QUERY}).encode(),
        Content_Type="application/x-www-form-urlencoded",
    )
    fetched = get_query(server, PARTY_QUERY)
    assert direct.status == form.status == fetched.status == 200
    assert direct.json() == form.json() == fetched.json()
    assert len(direct.json()["results"]["bindings"]) == 3


@pytest.mark.parametrize("media_type", sorted(GRAPH_FORMATS))
def test_construct_answers_in_every_rdf_format(server: Server, media_type: str) -> None:
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    query = f"CONSTRUCT {{ ?s {label} ?o }} WHERE {{ ?s {label} ?o }}"
    reply = get_query(server, query, accept=media_type)
    assert reply.status == 200 and reply.media_type == media_type
    triples = {quad.triple for quad in ox.parse(reply.body, GRAPH_FORMATS[media_type])}
    assert triples == set(local_store().query(query))  # type: ignore[arg-type]


def test_ask_answers_a_boolean(server: Server) -> None:
    yes = get_query(server, f"ASK {{ <{ID}entity/Q142> ?p ?o }}").json()
    no = get_query(server, f"ASK {{ <{ID}entity/Q999999> ?p ?o }}").json()
    assert yes["boolean"] is True and no["boolean"] is False


def test_result_cap_cuts_answers_and_says_so(server: Server) -> None:
    reply = get_query(server, "SELECT * WHERE { ?s ?p ?o }")
    assert reply.status == 200
    assert len(reply.json()["results"]["bindings"]) == RESULT_CAP < MINI_TRIPLES
    assert reply.headers["x-sparql-maxrows"] == str(RESULT_CAP)
    small = get_query(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 3")
    assert "x-sparql-maxrows" not in small.headers


def test_a_malformed_query_is_a_json_400(server: Server) -> None:
    reply = get_query(server, "SELECT ?x WHERE { ?x ")
    assert reply.status == 400 and reply.media_type == "application/json"
    assert reply.json()["error"]["status"] == 400 and reply.json()["error"]["message"]


# ---------------------------------------------------------------- read-only for real


def test_update_is_refused_however_it_is_sent(server: Server) -> None:
    update = f"INSERT DATA {{ <{ID}x> <{ID}p> <{ID}y> }}"
    replies = [
        request(server, "GET", "/sparql?" + urllib.parse.urlencode({"update": update})),
        request(server, "POST", "/sparql", update.encode(), Content_Type="application/sparql-update"),
        request(
            server,
            "POST",
            "/sparql",
            urllib.parse.urlencode({"update": update}).encode(),
            Content_Type="application/x-www-form-urlencoded",
        ),
        get_query(server, update),
    ]
    for reply in replies:
        assert 400 <= reply.status < 500, reply
        assert "read-only" in reply.json()["error"]["message"]
    assert get_query(server, f"ASK {{ <{ID}x> ?p ?o }}").json()["boolean"] is False


@pytest.mark.parametrize(
    "operation",
    [
        "LOAD <http://127.0.0.1:9/graph.ttl>",
        "LOAD SILENT <http://127.0.0.1:9/graph.ttl> INTO GRAPH <http://example.org/g>",
        "CLEAR ALL",
        "CLEAR DEFAULT",
        "DROP ALL",
        "DROP GRAPH <http://example.org/g>",
        "CREATE GRAPH <http://example.org/g>",
        "DELETE WHERE { ?s ?p ?o }",
        "PREFIX ex: <http://example.org/>\nDELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "COPY DEFAULT TO <http://example.org/g>",
    ],
)
def test_update_operations_are_refused(server: Server, operation: str) -> None:
    reply = get_query(server, operation)
    assert 400 <= reply.status < 500
    assert reply.json()["error"]["message"]
    assert get_query(server, "ASK { ?s ?p ?o }").json()["boolean"] is True  # nothing was cleared


@pytest.fixture()
def listener() -> Iterator[socket.socket]:
    """A socket on loopback that records whether anybody connected to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    sock.settimeout(0.5)
    try:
        yield sock
    finally:
        sock.close()


SERVICE_SPELLINGS = [
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "select * where { service silent <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { ?a ?b ?c . { SELECT ?s WHERE { SeRvIcE <{url}> { ?s ?p ?o } } } }",
    "SELECT * WHERE { SERVICE#comment\n<{url}> { ?s ?p ?o } }",
    "PREFIX svc: <{url}>\nSELECT * WHERE { SERVICE svc: { ?s ?p ?o } }",
    'SELECT * WHERE { BIND("#" AS ?x) SERVICE <{url}> { ?s ?p ?o } }',
    "SELECT * WHERE { ?s <http://example.org/p\\#> ?o . SERVICE <{url}> { ?s ?p ?o } }",
]


@pytest.mark.parametrize("template", SERVICE_SPELLINGS)
def test_service_is_refused_and_nothing_goes_out(server: Server, listener: socket.socket, template: str) -> None:
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    reply = get_query(server, template.replace("{url}", url))
    assert reply.status == 403
    assert "SERVICE" in reply.json()["error"]["message"]
    with pytest.raises(TimeoutError):
        listener.accept()  # nobody called


CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
UNBOUNDED_PATH = "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:p>|!<urn:p>)* ?b . ?c (<urn:q>|!<urn:q>)* ?d . ?e ?f ?g }"


def in_background(server: Server, query: str, replies: list[Reply]) -> threading.Thread:
    thread = threading.Thread(target=lambda: replies.append(get_query(server, query)))
    thread.start()
    return thread


def test_a_pathological_query_is_stopped_while_others_are_answered(server: Server) -> None:
    slow: list[Reply] = []
    thread = in_background(server, CARTESIAN, slow)
    time.sleep(0.3)
    meanwhile = [get_query(server, PARTY_QUERY).status for _ in range(3)]  # the other worker answers
    thread.join(timeout=60)
    assert meanwhile == [200, 200, 200]
    assert slow[0].status == 503 and "timed out" in slow[0].json()["error"]["message"]


def test_a_saturated_server_recovers_after_the_timeout(server: Server) -> None:
    slow: list[Reply] = []
    threads = [in_background(server, query, slow) for query in (CARTESIAN, UNBOUNDED_PATH)]
    time.sleep(0.3)
    waited = get_query(server, PARTY_QUERY)  # waits for a worker: a killed one's successor
    for thread in threads:
        thread.join(timeout=60)
    assert [r.status for r in slow] == [503, 503]
    assert waited.status == 200
    for _ in range(3):
        assert get_query(server, PARTY_QUERY).status == 200


def test_request_body_over_the_cap_is_413(server: Server) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 5000
    reply = request(server, "POST", "/sparql", big.encode(), Content_Type="application/sparql-query")
    assert reply.status == 413
    assert get_query(server, "ASK {}").status == 200


def test_other_methods_are_405(server: Server) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        reply = request(server, method, "/sparql", b"x", Content_Type="text/turtle")
        assert reply.status == 405


# ---------------------------------------------------------------- descriptions


def test_service_description_and_void(server: Server) -> None:
    sd = request(server, "GET", "/sparql", Accept="text/turtle")
    assert sd.status == 200 and sd.media_type == "text/turtle"
    sd_triples = list(ox.parse(sd.body, ox.RdfFormat.TURTLE))
    endpoint = ox.NamedNode(server.url + "sparql")
    sdns = "http://www.w3.org/ns/sparql-service-description#"
    assert any(q.subject == endpoint and q.predicate.value == sdns + "endpoint" for q in sd_triples)
    assert any(q.object == ox.NamedNode(sdns + "SPARQL11Query") for q in sd_triples)

    void = request(server, "GET", "/void", Accept="text/turtle")
    counts = {q.predicate.value: q.object.value for q in ox.parse(void.body, ox.RdfFormat.TURTLE)}
    assert counts["http://rdfs.org/ns/void#triples"] == str(MINI_TRIPLES)
    assert counts["http://rdfs.org/ns/void#sparqlEndpoint"] == server.url + "sparql"
    assert counts["http://rdfs.org/ns/void#uriSpace"] == ID


def test_landing_page_links_the_canned_queries_and_has_a_form(server: Server) -> None:
    page = request(server, "GET", "/", Accept="text/html")
    text = page.body.decode()
    assert page.status == 200 and page.media_type == "text/html"
    for name in load_queries():
        assert f'href="/queries/{name}?limit=100"' in text  # the first page: a listing may be long
    assert '<form action="/sparql"' in text and 'name="query"' in text


def test_a_canned_query_gives_what_the_query_command_gives(server: Server) -> None:
    reply = request(server, "GET", "/queries/parties?min_confidence=0.5", Accept="application/sparql-results+json")
    assert reply.status == 200
    served = {(b["treaty"]["value"], b["partyLabel"]["value"]) for b in reply.json()["results"]["bindings"]}
    canned = load_queries()["parties"]
    local = run_query(load_graph(MINI), canned, {"min_confidence": "0.5"})
    assert served == {(str(row["treaty"]), str(row["partyLabel"])) for row in local.dicts()}
    assert len(served) == 2
    above_all = request(server, "GET", "/queries/parties?min_confidence=0.9")
    assert above_all.json()["results"]["bindings"] == []
    bad = request(server, "GET", "/queries/parties?min_confidence=lots")
    assert bad.status == 400 and "min_confidence" in bad.json()["error"]["message"]
    assert request(server, "GET", "/queries/no-such-query").status == 404


def rows_of(reply: Reply) -> list[tuple[tuple[str, str], ...]]:
    return [tuple(sorted((k, v["value"]) for k, v in b.items())) for b in reply.json()["results"]["bindings"]]


def next_link(reply: Reply) -> str | None:
    """The target of a `Link: <...>; rel="next"` header."""
    link = reply.headers.get("link")
    if link is None:
        return None
    target, rel = link.split(";", 1)
    assert rel.strip() == 'rel="next"' and target.startswith("<") and target.endswith(">")
    return target[1:-1]


TREATY_PAGE = "/queries/treaty?" + urllib.parse.urlencode({"treaty": ID + "treaty/treaty-of-larkspur-1921"})


def test_canned_pages_follow_the_next_links_to_the_full_answer(server: Server) -> None:
    full = request(server, "GET", TREATY_PAGE, Accept="application/sparql-results+json")
    assert full.status == 200 and next_link(full) is None and "x-sparql-maxrows" not in full.headers
    expected = rows_of(full)
    assert RESULT_CAP > len(expected) > 10
    found, path, pages = [], TREATY_PAGE + "&limit=4", 0
    while path:
        page = request(server, "GET", path, Accept="application/sparql-results+json")
        assert page.status == 200 and len(rows_of(page)) <= 4
        found += rows_of(page)
        path, pages = next_link(page), pages + 1
    assert Counter(found) == Counter(expected) and pages == -(-len(expected) // 4)


def test_canned_page_formats_and_the_html_next_link(server: Server) -> None:
    csv_page = request(server, "GET", TREATY_PAGE + "&limit=3&offset=3&format=csv")
    assert csv_page.status == 200 and csv_page.media_type == "text/csv"
    assert len(csv_page.body.decode().strip().splitlines()) == 1 + 3
    assert next_link(csv_page) == TREATY_PAGE + "&format=csv&limit=3&offset=6"
    html_page = request(server, "GET", TREATY_PAGE + "&limit=3", Accept="text/html")
    assert html_page.status == 200 and html_page.media_type == "text/html"
    assert f'<a href="{html.escape(TREATY_PAGE + "&limit=3&offset=3")}">next page</a>' in html_page.body.decode()


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("limit=-1", "limit"),
        ("limit=2&offset=-5", "offset"),
        ("offset=1.5", "offset"),
        (f"limit={RESULT_CAP + 1}", "limit"),
    ],
)
def test_a_bad_page_is_a_400_naming_it(server: Server, query: str, named: str) -> None:
    reply = request(server, "GET", TREATY_PAGE + "&" + query)
    assert reply.status == 400 and reply.json()["error"]["message"].startswith(named + " ")


def test_without_limit_a_long_canned_answer_is_its_first_page() -> None:
    small = start_server(MINI, "--max-results", "5")
    try:
        reply = request(small, "GET", TREATY_PAGE, Accept="application/sparql-results+json")
        assert reply.status == 200 and len(rows_of(reply)) == 5 and reply.headers["x-sparql-maxrows"] == "5"
        assert next_link(reply) == TREATY_PAGE + "&limit=5&offset=5"
    finally:
        stop_server(small)


# ---------------------------------------------------------------- entities


LARKSPUR = "/treatygraph/id/treaty/treaty-of-larkspur-1921"


@pytest.mark.parametrize("media_type", sorted(GRAPH_FORMATS))
def test_entity_dereferences_as_rdf(server: Server, media_type: str) -> None:
    reply = request(server, "GET", LARKSPUR, Accept=media_type)
    assert reply.status == 200 and reply.media_type == media_type
    assert "accept" in reply.headers.get("vary", "").lower()
    triples = {quad.triple for quad in ox.parse(reply.body, GRAPH_FORMATS[media_type])}
    subject = ox.NamedNode(ID + "treaty/treaty-of-larkspur-1921")
    own = {q.triple for q in local_store().quads_for_pattern(subject, None, None)}
    assert own <= triples
    assert any(t.object == subject for t in triples)  # and what points at it


def node_named(document: dict, iri: str) -> dict:
    """The node object with `"id": iri` in a compacted document (one node, or a list under @graph)."""
    nodes = document.get("@graph", [document])
    return next(node for node in nodes if node.get("id") == iri)


RDFLIB_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld"}
QUIET_RDFLIB = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def as_rdflib(reply: Reply) -> Graph:
    return Graph().parse(data=reply.body, format=RDFLIB_FORMATS[reply.media_type])


@QUIET_RDFLIB
def test_entity_json_ld_has_readable_keys_and_the_same_triples_as_turtle(server: Server) -> None:
    reply = request(server, "GET", LARKSPUR, Accept="application/ld+json")
    assert reply.status == 200 and reply.media_type == "application/ld+json"
    document = reply.json()
    assert document["@context"] == load_context()  # the shipped context, embedded
    treaty = node_named(document, ID + "treaty/treaty-of-larkspur-1921")
    assert treaty["label"] == {"en": "Treaty of Larkspur"} and treaty["signedOn"] == "1921-05-03"
    assert set(treaty["hasParty"]) == {ID + "entity/Q142", ID + "entity/Q38"}
    assert {"Treaty", "PeaceTreaty"} <= set(treaty["type"])
    assert not [key for key in treaty if ":" in key]  # no IRIs or CURIEs as keys
    turtle = request(server, "GET", LARKSPUR, Accept="text/turtle")
    assert isomorphic(as_rdflib(reply), as_rdflib(turtle))


@QUIET_RDFLIB
def test_construct_json_ld_is_compacted_with_the_same_triples_as_turtle(server: Server) -> None:
    query = f"PREFIX tg: <{TG}> CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s a tg:Treaty ; ?p ?o }}"
    reply = get_query(server, query, accept="application/ld+json")
    assert reply.status == 200 and reply.media_type == "application/ld+json"
    document = reply.json()
    assert document["@context"] == load_context()
    harbour = node_named(document, ID + "treaty/harbour-compact-1950")
    assert harbour["supersedes"] == ID + "treaty/treaty-of-larkspur-1921" and "label" in harbour
    turtle = get_query(server, query, accept="text/turtle")
    assert len(as_rdflib(turtle)) == 22 and isomorphic(as_rdflib(reply), as_rdflib(turtle))


def test_the_context_is_served_and_every_json_ld_answer_uses_it(server: Server) -> None:
    reply = request(server, "GET", "/context.jsonld")
    assert reply.status == 200 and reply.media_type == "application/ld+json"
    assert reply.json()["@context"] == load_context()
    for path in ("/void", "/sparql"):
        document = request(server, "GET", path, Accept="application/ld+json").json()
        assert document["@context"] == load_context()
    nothing = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s <{TG}noSuchProperty> ?o }}"
    empty = get_query(server, nothing, accept="application/ld+json")
    assert empty.status == 200 and empty.json()["@graph"] == []


def test_entity_html_page_shows_facts_evidence_and_links(server: Server) -> None:
    reply = request(server, "GET", LARKSPUR, Accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
    page = reply.body.decode()
    assert reply.status == 200 and reply.media_type == "text/html"
    assert "<title>Treaty of Larkspur</title>" in page
    assert "1921-05-03" in page and "France" in page and "Italy" in page
    assert "The accord bound France and Italy to settle the marsh border by arbitration." in page
    assert 'href="/treatygraph/id/entity/Q142"' in page
    assert "default-src 'none'" in reply.headers["content-security-policy"]
    france = request(server, "GET", "/treatygraph/id/entity/Q142", Accept="text/html").body.decode()
    assert 'href="http://www.wikidata.org/entity/Q142"' in france
    assert 'href="http://dbpedia.org/resource/France"' in france


def test_html_escapes_every_literal(server: Server) -> None:
    page = request(server, "GET", "/treatygraph/id/treaty/harbour-compact-1950", Accept="text/html").body.decode()
    assert "<script" not in page
    assert "Harbour Compact &lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page
    assert "The compact &lt;script&gt;alert(1)&lt;/script&gt; replaced the Larkspur terms &amp; more." in page


def test_format_parameter_and_unacceptable_types(server: Server) -> None:
    assert request(server, "GET", LARKSPUR + "?format=turtle").media_type == "text/turtle"
    assert request(server, "GET", LARKSPUR, Accept="image/png").status == 406


@pytest.mark.parametrize(
    "path",
    [
        "/treatygraph/id/treaty/no-such-treaty",
        "/treatygraph/id/../../etc/passwd",
        "/treatygraph/id/treaty/../../../../etc/passwd",
        "/treatygraph/id/%2e%2e/%2e%2e/etc/passwd",
        "/treatygraph/id/..%2f..%2f..%2fetc%2fpasswd",
        "/treatygraph/id/%252e%252e/etc/passwd",
        "/treatygraph/id/..%5c..%5cetc%5cpasswd",
        "/treatygraph/id/%00",
        "/../../etc/passwd",
        "//etc/passwd",
        "/etc/passwd",
        "/resources/page.html",
        "/treatygraph/id/",
    ],
)
def test_paths_never_reach_files_and_unknown_iris_are_404(server: Server, path: str) -> None:
    reply = request(server, "GET", path, Accept="text/turtle")
    assert reply.status in (400, 404)
    assert b"root:" not in reply.body and b"<html" not in reply.body


# ---------------------------------------------------------------- units: screening, negotiation, paths


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://x> { }" }',
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x> { }",
        "SELECT ?service WHERE { ?service ?p ?o }",
        "PREFIX service: <http://example.org/>\nSELECT * WHERE { ?s service:load ?o }",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
        "SELECT * WHERE { ?s ?p '''INSERT DATA { <a> <b> <c> }''' }",
        "SELECT ?deleted WHERE { ?s ?p ?deleted }",
    ],
)
def test_screening_lets_harmless_queries_through(query: str) -> None:
    assert st.forbidden_operation(query) is None


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://x> { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://x> { ?s ?p ?o } }",
        'SELECT * WHERE { ?s ?p "unclosed \n SERVICE <http://x> { } }',
        "SELECT * WHERE { ?s ex:a\\#b SERVICE <http://x> { } }",
        "LOAD <http://x>",
        "insert data { <a> <b> <c> }",
    ],
)
def test_screening_catches_forbidden_operations(query: str) -> None:
    assert st.forbidden_operation(query) is not None


@given(hs.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_screening_never_crashes_and_segments_cover_the_text(text: str) -> None:
    st.forbidden_operation(text)
    assert "".join(segment for _, segment in st.sparql_segments(text)) == text


@given(hs.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_a_bound_string_can_never_become_query_syntax(value: str) -> None:
    """Whatever the text, substituting it as a literal yields a query whose only answer is that text."""
    query = "SELECT ?x WHERE { BIND(?value AS ?x) } # ?value in a comment stays"
    text = st.substitute_variables(query, {"value": ox.Literal(value)})
    assert st.forbidden_operation(text) is None
    rows = list(ox.Store().query(text))  # type: ignore[call-overload]
    assert [row["x"].value for row in rows] == [value]
    assert text.endswith("# ?value in a comment stays")


def test_substitution_replaces_only_whole_variables() -> None:
    text = 'SELECT ?min_confidence_x WHERE { FILTER(?c >= $min_confidence) BIND("?min_confidence" AS ?s) }'
    decimal = ox.Literal("0.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
    out = st.substitute_variables(text, {"min_confidence": decimal})
    assert "?min_confidence_x" in out and '"?min_confidence"' in out
    assert '>=  "0.5"^^<http://www.w3.org/2001/XMLSchema#decimal> ' in out


def test_negotiation_ranks_by_quality_and_specificity() -> None:
    offered = ("text/html", "text/turtle", "application/ld+json")
    assert ranked_types(None, offered) == offered
    assert ranked_types("application/ld+json", offered) == ("application/ld+json",)
    assert ranked_types("text/turtle;q=0.5, application/ld+json", offered)[:2] == ("application/ld+json", "text/turtle")
    assert ranked_types("text/*;q=0.3, text/turtle", offered) == ("text/turtle", "text/html")
    assert ranked_types("*/*, text/html;q=0", offered) == ("text/turtle", "application/ld+json")
    assert ranked_types("image/png", offered) == ()


@given(hs.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_negotiation_never_crashes(accept: str) -> None:
    offered = ("text/html", "text/turtle")
    assert set(ranked_types(accept, offered)) <= set(offered)


def test_entity_paths_map_to_iris_under_the_base_only() -> None:
    assert entity_iris(ID, "treaty/x-1921") == [ID + "treaty/x-1921"]
    assert entity_iris(ID, "entity/K%C3%B6ln") == [ID + "entity/K%C3%B6ln", ID + "entity/Köln"]
    assert entity_iris(ID, "../etc/passwd") == []
    assert entity_iris(ID, "a/%2e%2e/b") == [ID + "a/%2e%2e/b"]  # the decoded form has a dot segment: dropped
    assert entity_iris(ID, "") == []


# ---------------------------------------------------------------- the store


def test_a_store_folder_is_reused_for_the_same_file(tmp_path: Path) -> None:
    location = tmp_path / "store"
    first = st.load_store(MINI, location)
    assert len(first) == MINI_TRIPLES
    del first
    marker = (location / st.SOURCE_MARKER).read_text()
    second = st.load_store(MINI, location)
    assert len(second) == MINI_TRIPLES and (location / st.SOURCE_MARKER).read_text() == marker
    del second
    other = tmp_path / "other.ttl"
    other.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    assert len(st.load_store(other, location)) == 1  # a different file: reloaded


def test_a_foreign_folder_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(TreatygraphError, match="not made by treatygraph"):
        st.load_store(MINI, tmp_path)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_a_trig_dataset_is_queried_as_the_union_of_its_graphs() -> None:
    trig = FIXTURES / "mini.trig"
    store = st.load_store(trig)
    assert st.is_dataset_file(trig)
    answer = st.run_query(
        store,
        "SELECT ?t WHERE { ?t a <https://w3id.org/treatygraph/ontology#Treaty> }",
        ("application/sparql-results+json",),
        100,
        union=True,
    )
    assert answer.count == 2
    assert st.infer_base(store, union=True) == ID


def test_base_is_read_off_the_graph(tmp_path: Path) -> None:
    other = tmp_path / "based.ttl"
    other.write_text(MINI.read_text().replace(ID, "http://example.org/kg/"))
    assert st.infer_base(st.load_store(other)) == "http://example.org/kg/"


def test_unknown_extension_and_missing_file_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(TreatygraphError, match="unknown RDF file extension"):
        st.load_store(tmp_path / "graph.docx")
    with pytest.raises(TreatygraphError, match="no such graph file"):
        st.load_store(tmp_path / "graph.ttl")
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .")
    with pytest.raises(TreatygraphError, match="broken.ttl: cannot load"):
        st.load_store(broken)


def test_serve_reads_the_base_off_the_graph(tmp_path: Path) -> None:
    other = tmp_path / "based.ttl"
    other.write_text(MINI.read_text().replace(ID, "http://example.org/kg/"))
    running = start_server(other, "--workers", "1")
    try:
        assert request(running, "GET", "/kg/treaty/treaty-of-larkspur-1921", Accept="text/turtle").status == 200
        assert request(running, "GET", LARKSPUR, Accept="text/turtle").status == 404
    finally:
        stop_server(running)
