"""A read-only linked-data endpoint: SPARQL 1.1 Protocol at /sparql, entity pages by content negotiation.

Why a pool of worker processes: pyoxigraph cannot interrupt a running query from Python, so a query
runs in a worker process that is killed when it passes the timeout; a pathological query costs one
worker for `timeout` seconds and never wedges the server. Each worker opens the same on-disk store
read-only. The pool's size is also the limit on concurrent queries; requests beyond it wait in a
bounded line and are turned away with 503 when the line is full.

Routes: /  (landing page), /sparql (query; without a query: the Service Description), /void,
/queries/NAME (a canned query, parameters from the query string; `limit` and `offset` ask for a page, and
a `Link: <...>; rel="next"` header points at the next one), /style.css, /context.jsonld (the
JSON-LD context every JSON-LD answer is compacted with), and every entity IRI
under the base, mapped to a path on this server (base path + the IRI's rest). A path is only ever
looked up as an IRI in the store, never as a file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import json
import multiprocessing
import queue
import re
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from multiprocessing.connection import Connection
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import pyoxigraph as ox

from . import store as st
from .types import TreatygraphError
from .vocab import DEFAULT_BASE, PREFIXES

if TYPE_CHECKING:  # query.py (and rdflib) are imported when a canned query is first asked for
    from .query import Page

# ---------------------------------------------------------------- configuration


@dataclass(frozen=True)
class ServeConfig:
    graph: Path
    base: str | None = None  # None: read it off the graph, else the documented default
    host: str = "127.0.0.1"
    port: int = 8000
    store_dir: Path | None = None  # None: a temporary folder, removed on exit
    timeout: float = 10.0  # seconds a query may run
    max_results: int = 10_000  # rows (SELECT) or triples (CONSTRUCT/DESCRIBE) per answer
    max_body: int = 1 << 20  # bytes of a POST body
    workers: int = 2  # processes = queries running at once
    max_waiting: int = 32  # requests that may wait for a free worker
    access_log: bool = False


class EndpointError(Exception):
    """An HTTP error answer: status and a message for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# ---------------------------------------------------------------- worker processes

Operation = Callable[..., Any]


def _op_query(store: ox.Store, union: bool, *args: Any) -> st.QueryAnswer:
    text, accept, max_results, default_graphs, named_graphs = args
    answer = st.run_query(store, text, accept, max_results, union, default_graphs, named_graphs)
    if answer.media_type != JSON_LD:
        return answer
    # run_query hands back pyoxigraph's expanded JSON-LD; reading it back is native and fast next to compaction
    triples = [quad.triple for quad in ox.parse(answer.body, ox.RdfFormat.JSON_LD)]
    return dataclasses.replace(answer, body=compact_jsonld(triples))


def _op_describe(
    store: ox.Store, union: bool, iris: list[str], media_type: str, limit: int
) -> tuple[str, bytes] | None:
    for iri in iris:
        if st.entity_exists(store, iri, union):
            return iri, graph_body(st.describe_entity(store, iri, limit, union), media_type)
    return None


def _op_view(store: ox.Store, union: bool, iris: list[str], limit: int) -> st.EntityView | None:
    for iri in iris:
        view = st.entity_view(store, iri, limit, union)
        if view is not None:
            return view
    return None


def _op_stats(store: ox.Store, union: bool) -> st.DatasetStats:
    return st.dataset_stats(store, union)


def _op_canned(
    store: ox.Store, union: bool, canned: Any, given: dict[str, str], accept: tuple[str, ...], page: Any
) -> tuple[st.QueryAnswer, bool]:
    """A page of a canned query (query.run_query_on_store: streamed, sorted within the page), serialised;
    and whether more rows follow it."""
    from .fastvalidate import to_ox
    from .query import run_query_on_store

    result = run_query_on_store(store, canned, given, page, union)
    media_type = next((kind for kind in accept if kind in st.SOLUTION_TYPES), st.SOLUTION_TYPES[0])
    names = list(result.vars)
    # serialize_solutions only reads row[name], which a dict holding every name answers as a solution does
    rows = [dict(zip(names, (None if t is None else to_ox(t) for t in row), strict=True)) for row in result.rows]
    body = st.serialize_solutions(names, cast(list[ox.QuerySolution], rows), media_type)
    return st.QueryAnswer(media_type, body, len(rows), result.more), result.more


OPERATIONS: dict[str, Operation] = {
    "query": _op_query,
    "describe": _op_describe,
    "view": _op_view,
    "stats": _op_stats,
    "canned": _op_canned,
}


def _worker_main(conn: Connection, location: str, union: bool) -> None:
    """A worker: open the store read-only, then answer (operation, args) messages until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    try:
        store = st.open_read_only(Path(location))
    except Exception as err:  # noqa: BLE001 - reported to the parent, which cannot start without us
        conn.send(("failed", f"cannot open the store: {err}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            name, args = conn.recv()
        except (EOFError, OSError):
            return  # the server is gone
        conn.send(_answer(store, union, name, args))


def _answer(store: ox.Store, union: bool, name: str, args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return "ok", OPERATIONS[name](store, union, *args)
    except st.QueryRefused as err:
        return "refused", str(err)
    except (SyntaxError, ValueError) as err:
        return "bad", " ".join(str(err).split())
    except Exception as err:  # noqa: BLE001 - any evaluation error becomes a JSON error for the client
        return "failed", f"{type(err).__name__}: {' '.join(str(err).split())}"


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection


RESTART_ALLOWANCE = 10.0  # seconds a new worker process may take to start


class QueryTimeout(Exception):
    pass


class PoolBusy(Exception):
    pass


@dataclass
class WorkerPool:
    """Worker processes on one store folder; `run` sends an operation to a free one and waits at most `timeout`."""

    location: Path
    union: bool
    size: int
    timeout: float
    max_waiting: int
    _idle: queue.SimpleQueue[_Worker] = field(default_factory=queue.SimpleQueue)
    _all: set[int] = field(default_factory=set)
    _workers: dict[int, _Worker] = field(default_factory=dict)
    _waiting: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: bool = False

    def start(self) -> None:
        started = [self._spawn() for _ in range(self.size)]
        for worker in started:
            self._await_ready(worker)
            self._idle.put(worker)

    def run(self, operation: str, *args: Any) -> tuple[str, Any]:
        worker = self._checkout()
        try:
            worker.conn.send((operation, args))
            if not worker.conn.poll(self.timeout):
                self._replace(worker)
                raise QueryTimeout()
            answer: tuple[str, Any] = worker.conn.recv()
        except (EOFError, OSError) as err:
            self._replace(worker)
            return "failed", f"the query worker died ({type(err).__name__}); it has been replaced"
        self._idle.put(worker)
        return answer

    def _checkout(self) -> _Worker:
        with self._lock:
            if self._closed or self._waiting >= self.max_waiting:
                raise PoolBusy()
            self._waiting += 1
        try:
            # long enough to outlast one stopped query plus the start of its successor
            return self._idle.get(timeout=self.timeout + RESTART_ALLOWANCE)
        except queue.Empty:
            raise PoolBusy() from None
        finally:
            with self._lock:
                self._waiting -= 1

    def _spawn(self) -> _Worker:
        context = multiprocessing.get_context("spawn")  # never fork a threaded server
        parent_end, child_end = context.Pipe()
        process = context.Process(
            target=_worker_main, args=(child_end, str(self.location), self.union), daemon=True, name="treatygraph-query"
        )
        process.start()
        child_end.close()
        worker = _Worker(process, parent_end)
        with self._lock:
            self._workers[id(worker)] = worker
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        if not worker.conn.poll(120):
            raise TreatygraphError("a query worker did not start within 120 s")
        status, message = worker.conn.recv()
        if status != "ready":
            raise TreatygraphError(f"query worker: {message}")

    def _replace(self, worker: _Worker) -> None:
        """Kill a stuck or dead worker now; start its successor in the background."""
        self._kill(worker)
        threading.Thread(target=self._restock, daemon=True, name="treatygraph-restock").start()

    def _restock(self) -> None:
        for _attempt in range(3):
            if self._closed:
                return
            worker = self._spawn()
            try:
                self._await_ready(worker)
            except (TreatygraphError, EOFError, OSError) as err:
                sys.stderr.write(f"treatygraph: serve: {err}\n")
                self._kill(worker)
                continue
            self._idle.put(worker)
            return

    def _kill(self, worker: _Worker) -> None:
        with self._lock:
            self._workers.pop(id(worker), None)
        with contextlib.suppress(OSError):
            worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers.values())
        for worker in workers:
            self._kill(worker)


# ---------------------------------------------------------------- JSON-LD

JSON_LD = "application/ld+json"
CONTEXT_PATH = "/context.jsonld"


def graph_body(triples: list[ox.Triple], media_type: str) -> bytes:
    """Triples in `media_type`; JSON-LD compacted with the shipped context, the rest as pyoxigraph writes them."""
    return compact_jsonld(triples) if media_type == JSON_LD else st.serialize_triples(triples, media_type)


def compact_jsonld(triples: Iterable[ox.Triple]) -> bytes:
    """Compacted JSON-LD with readable keys (`label`, `signedOn`, `hasParty`), written by the same code as
    `export --format jsonld`.

    The context is embedded, not referenced as this server's /context.jsonld: a referenced context has to be
    fetched before a document can be read, and some processors cannot fetch at all (pyoxigraph's JSON-LD
    parser refuses remote contexts, so a saved answer could not even be served again with --graph); the
    URL would also be this server's address, dead once it stops. Plain-JSON clients ignore the context.
    /context.jsonld is still served for documents a client writes itself."""
    from rdflib import Graph  # rdflib is imported only when JSON-LD is asked for

    from .export import serialize
    from .fastvalidate import to_rdflib

    graph = Graph()
    for triple in triples:
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return serialize(graph, "jsonld")


# ---------------------------------------------------------------- content negotiation

FORMAT_NAMES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "html": "text/html",
}
_ALIASES = {
    "application/json": ("application/sparql-results+json", "application/ld+json"),
    "application/xml": ("application/sparql-results+xml",),
    "text/xml": ("application/sparql-results+xml",),
    "application/x-turtle": ("text/turtle",),
    "text/plain": ("application/n-triples",),
    "application/xhtml+xml": ("text/html",),
}


def ranked_types(accept: str | None, offered: Iterable[str]) -> tuple[str, ...]:
    """The offered media types the Accept header allows, best first (ties keep the offered order)."""
    offered = tuple(offered)
    if not accept or not accept.strip():
        return offered
    weights: dict[str, float] = {}
    for index, item in enumerate(accept.split(",")):
        media_range, q = _parse_accept_item(item)
        if media_range is None:
            continue
        for media_type in offered:
            specificity = _match(media_range, media_type)
            if specificity is None:
                continue
            # a more specific range decides; among equals, the higher q wins
            score = (specificity, q, -index)
            current = weights.get(media_type)
            if current is None or score > current:  # type: ignore[operator]
                weights[media_type] = score  # type: ignore[assignment]
    chosen = [t for t in offered if t in weights and weights[t][1] > 0]  # type: ignore[index]
    order = {t: i for i, t in enumerate(offered)}
    return tuple(sorted(chosen, key=lambda t: (-weights[t][1], order[t])))  # type: ignore[index]


def _parse_accept_item(item: str) -> tuple[str | None, float]:
    parts = [p.strip() for p in item.split(";")]
    media_range = parts[0].lower()
    if "/" not in media_range:
        return None, 0.0
    q = 1.0
    for param in parts[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                q = max(0.0, min(1.0, float(value)))
            except ValueError:
                q = 0.0
    return media_range, q


def _match(media_range: str, media_type: str) -> int | None:
    if media_range == media_type:
        return 3
    if media_type in _ALIASES.get(media_range, ()):
        return 2
    major, _, minor = media_range.partition("/")
    if minor == "*" and (major == "*" or media_type.startswith(major + "/")):
        return 1 if major != "*" else 0
    return None


# ---------------------------------------------------------------- HTML

_PREFIX_LIST = sorted(((name, str(ns)) for name, ns in PREFIXES.items()), key=lambda pair: -len(pair[1]))
_LINKABLE = re.compile(r"^https?://[^\s<>\"]+$")
_SD = "http://www.w3.org/ns/sparql-service-description#"
_VOID = "http://rdfs.org/ns/void#"
_FORMATS_NS = "http://www.w3.org/ns/formats/"
_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV")
_GRAPH_FORMATS = ("Turtle", "JSON-LD", "N-Triples")
_EXTERNAL = {"http://www.wikidata.org/entity/": "Wikidata", "http://dbpedia.org/resource/": "DBpedia"}
_MATCH_PREDICATES = ("http://www.w3.org/2004/02/skos/core#exactMatch", "http://www.w3.org/2002/07/owl#sameAs")

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def _resource_text(name: str) -> str:
    return resources.files("treatygraph").joinpath("resources", name).read_text(encoding="utf-8")


def esc(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass(frozen=True)
class Pages:
    """Renders HTML; every value from the graph or the request passes through `esc`."""

    base: str
    base_path: str

    def page(self, title: str, body: str) -> bytes:
        template = Template(_resource_text("page.html"))
        return template.substitute(title=esc(title), body=body).encode("utf-8")

    def short(self, iri: str) -> str:
        if iri.startswith(self.base):
            return "id:" + iri[len(self.base) :]
        for name, namespace in _PREFIX_LIST:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{name}:{iri[len(namespace) :]}"
        return iri

    def href(self, iri: str) -> str | None:
        """Where a link to `iri` goes: this server's page for IRIs under the base, the IRI itself for http(s)."""
        if iri.startswith(self.base):
            return quote(self.base_path + iri[len(self.base) :], safe="/#%-._~!$&'()*+,;=:@")
        return iri if _LINKABLE.match(iri) else None

    def link(self, iri: str, text: str | None = None) -> str:
        shown = esc(text if text else self.short(iri))
        target = self.href(iri)
        return f'<a href="{esc(target)}">{shown}</a>' if target else f"<code>{shown}</code>"

    def term(self, view: st.TermView) -> str:
        if view.kind == "iri":
            return self.link(view.value, view.label)
        if view.kind == "bnode":
            return f"<code>_:{esc(view.value)}</code>"
        note = f"@{view.language}" if view.language else (self.short(view.datatype) if view.datatype else "")
        suffix = f' <span class="dt">{esc(note)}</span>' if note else ""
        return f'<span class="literal">{esc(view.value)}</span>{suffix}'

    def entity(self, view: st.EntityView) -> bytes:
        title = view.label or self.short(view.iri)
        parts = [f"<h1>{esc(title)}</h1>", f'<p class="iri"><code>{esc(view.iri)}</code></p>']
        if view.types:
            parts.append('<p class="types">' + " ".join(self.link(t) for t in view.types) + "</p>")
        parts.append(self._formats(view.iri))
        parts.append(self._elsewhere(view))
        parts.append(self._facts(view))
        parts.append(self._evidence(view))
        parts.append(self._incoming(view))
        return self.page(title, "\n".join(p for p in parts if p))

    def _formats(self, iri: str) -> str:
        target = self.href(iri) or ""
        links = [f'<a href="{esc(target)}?format={name}">{label}</a>' for name, label in _DOC_FORMATS]
        return '<p class="formats">Also as ' + ", ".join(links) + "</p>"

    def _elsewhere(self, view: st.EntityView) -> str:
        matches = [f.value.value for f in view.facts if f.predicate in _MATCH_PREDICATES and f.value.kind == "iri"]
        items = []
        for iri in matches:
            site = next((name for prefix, name in _EXTERNAL.items() if iri.startswith(prefix)), "elsewhere")
            items.append(f"<li>{esc(site)}: {self.link(iri, iri)}</li>")
        return f'<section id="elsewhere"><h2>Elsewhere</h2><ul>{"".join(items)}</ul></section>' if items else ""

    def _facts(self, view: st.EntityView) -> str:
        rows = []
        for fact in view.facts:
            predicate = self.link(fact.predicate)
            if fact.via:
                predicate = self.link(fact.via) + " / " + predicate
            rows.append(f"<tr><th>{predicate}</th><td>{self.term(fact.value)}</td></tr>")
        return f'<section id="facts"><h2>Facts</h2><table>{"".join(rows)}</table></section>'

    def _evidence(self, view: st.EntityView) -> str:
        if not view.evidence:
            return ""
        items = []
        for ev in view.evidence:
            quote_html = f"<blockquote>{esc(ev.quote)}</blockquote>" if ev.quote else ""
            source = [f"from {self.term(ev.article)}" if ev.article else ""]
            source.append(f"rule <code>{esc(ev.rule)}</code>" if ev.rule else "")
            source.append(f"confidence {esc(ev.confidence)}" if ev.confidence else "")
            meta = ", ".join(s for s in source if s)
            items.append(
                f'<li><p class="fact">{self.link(ev.predicate)} {self.term(ev.value)}</p>{quote_html}'
                f'<p class="source">{meta}</p></li>'
            )
        return f'<section id="evidence"><h2>Evidence</h2><ul>{"".join(items)}</ul></section>'

    def _incoming(self, view: st.EntityView) -> str:
        if not view.incoming:
            return ""
        rows = [f"<tr><td>{self.term(f.value)}</td><th>{self.link(f.predicate)}</th></tr>" for f in view.incoming]
        return f'<section id="incoming"><h2>Referenced by</h2><table>{"".join(rows)}</table></section>'

    def results(self, title: str, answer: st.QueryAnswer, limit: int, next_page: str | None = None) -> bytes:
        body = [f"<h1>{esc(title)}</h1>"]
        if next_page:
            body.append(f'<p class="next">More rows follow: <a href="{esc(next_page)}">next page</a>.</p>')
        elif answer.truncated:
            body.append(f'<p class="warn">Cut at the result cap of {limit}; add LIMIT/OFFSET to page.</p>')
        if answer.media_type == "application/sparql-results+json":
            body.append(self._table(json.loads(answer.body)))
        else:
            body.append(f"<pre>{esc(answer.body.decode('utf-8'))}</pre>")
        return self.page(title, "\n".join(body))

    def _table(self, document: dict[str, Any]) -> str:
        if "boolean" in document:
            return f'<p class="boolean">{esc(str(document["boolean"]).lower())}</p>'
        names = document["head"]["vars"]
        head = "".join(f"<th>{esc(n)}</th>" for n in names)
        rows = []
        for binding in document["results"]["bindings"]:
            cells = "".join(f"<td>{self._json_cell(binding.get(n))}</td>" for n in names)
            rows.append(f"<tr>{cells}</tr>")
        count = len(rows)
        return f"<p>{count} row{'' if count == 1 else 's'}</p><table><tr>{head}</tr>{''.join(rows)}</table>"

    def _json_cell(self, term: dict[str, Any] | None) -> str:
        if term is None:
            return ""
        if term["type"] == "uri":
            return self.link(term["value"])
        view = st.TermView("literal", term["value"], None, term.get("xml:lang"), term.get("datatype"))
        return self.term(view) if term["type"] == "literal" else f"<code>{esc(str(term['value']))}</code>"

    def landing(self, stats: st.DatasetStats, queries: dict[str, Any], example: str) -> bytes:
        treaties = dict(stats.classes).get("https://w3id.org/treatygraph/ontology#Treaty", 0)
        parts = [
            "<h1>treatygraph</h1>",
            f"<p>A knowledge graph of treaties: {treaties} treaties, {stats.triples} triples. "
            f"Entity IRIs start with <code>{esc(self.base)}</code>. "
            '<a href="/sparql">Service description</a> · <a href="/void">VoID</a> · '
            f'<a href="{CONTEXT_PATH}">JSON-LD context</a></p>',
            '<section id="queries"><h2>Canned queries</h2><ul>',
        ]
        for name in sorted(queries):
            canned = queries[name]
            params = "".join(
                f"<li><code>{esc(p.name)}</code> ({esc(p.datatype)}"
                + (f", default {esc(p.default)}" if p.default is not None else ", required")
                + (f"): {esc(p.doc)}" if p.doc else ")")
                + "</li>"
                for p in canned.params
            )
            target = esc("/queries/" + quote(name))
            first = f"limit={LANDING_PAGE_ROWS}"
            parts.append(
                f'<li><a href="{target}?{first}">{esc(name)}</a>: {esc(canned.answers)} '
                f'(<a href="{target}?format=json&amp;{first}">json</a>, '
                f'<a href="{target}?format=csv&amp;{first}">csv</a>; the first {LANDING_PAGE_ROWS} rows)'
                + (f"<ul>{params}</ul>" if params else "")
                + "</li>"
            )
        parts.append("</ul></section>")
        options = "".join(f'<option value="{n}">{n}</option>' for n in ("html", "json", "xml", "csv", "tsv", "turtle"))
        parts.append(
            '<section id="query"><h2>Ask a query</h2><form action="/sparql" method="get">'
            f'<textarea name="query" rows="12" cols="100">{esc(example)}</textarea><br>'
            f'<label>Format <select name="format">{options}</select></label> <button type="submit">Run</button>'
            "</form></section>"
        )
        return self.page("treatygraph SPARQL endpoint", "\n".join(parts))


_DOC_FORMATS = (("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("ntriples", "N-Triples"))

EXAMPLE_QUERY = """PREFIX tg: <https://w3id.org/treatygraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?treaty ?label ?signed WHERE {
  ?treaty a tg:Treaty ; rdfs:label ?label .
  OPTIONAL { ?treaty tg:signedOn ?signed }
} ORDER BY ?signed LIMIT 50"""


# ---------------------------------------------------------------- descriptions (SD, VoID)


def service_description(endpoint: str, void: str, stats: st.DatasetStats, union: bool) -> list[ox.Triple]:
    service, dataset, default_graph = (
        ox.NamedNode(endpoint),
        ox.NamedNode(void + "#dataset"),
        ox.NamedNode(void + "#default-graph"),
    )
    triples = [
        _t(service, _RDF_TYPE, ox.NamedNode(_SD + "Service")),
        _t(service, _SD + "endpoint", service),
        _t(service, _SD + "supportedLanguage", ox.NamedNode(_SD + "SPARQL11Query")),
        _t(service, _SD + "defaultDataset", dataset),
        _t(dataset, _RDF_TYPE, ox.NamedNode(_SD + "Dataset")),
        _t(dataset, _SD + "defaultGraph", default_graph),
        _t(default_graph, _RDF_TYPE, ox.NamedNode(_SD + "Graph")),
        _t(default_graph, _VOID + "triples", _integer(stats.triples)),
    ]
    triples += [_t(service, _SD + "resultFormat", ox.NamedNode(_FORMATS_NS + f)) for f in _RESULT_FORMATS]
    triples += [_t(service, _SD + "resultFormat", ox.NamedNode(_FORMATS_NS + f)) for f in _GRAPH_FORMATS]
    if union:
        triples.append(_t(service, _SD + "feature", ox.NamedNode(_SD + "UnionDefaultGraph")))
    return triples


def void_description(endpoint: str, void: str, base: str, stats: st.DatasetStats) -> list[ox.Triple]:
    dataset = ox.NamedNode(void + "#dataset")
    triples = [
        _t(dataset, _RDF_TYPE, ox.NamedNode(_VOID + "Dataset")),
        _t(dataset, "http://purl.org/dc/terms/title", ox.Literal("treatygraph", language="en")),
        _t(
            dataset,
            "http://purl.org/dc/terms/description",
            ox.Literal(
                "Treaties, their parties, signers, violations and resolutions, read from encyclopedia "
                "articles, with the evidence for every fact.",
                language="en",
            ),
        ),
        _t(dataset, _VOID + "sparqlEndpoint", ox.NamedNode(endpoint)),
        _t(dataset, _VOID + "uriSpace", ox.Literal(base)),
        _t(dataset, _VOID + "vocabulary", ox.NamedNode("https://w3id.org/treatygraph/ontology#")),
        _t(dataset, _VOID + "feature", ox.NamedNode(_FORMATS_NS + "Turtle")),
        _t(dataset, _VOID + "triples", _integer(stats.triples)),
        _t(dataset, _VOID + "distinctSubjects", _integer(stats.subjects)),
        _t(dataset, _VOID + "distinctObjects", _integer(stats.objects)),
        _t(dataset, _VOID + "properties", _integer(stats.properties)),
        _t(dataset, _VOID + "classes", _integer(len(stats.classes))),
    ]
    for index, (cls, count) in enumerate(stats.classes):
        partition = ox.NamedNode(f"{void}#class-{index}")
        triples += [
            _t(dataset, _VOID + "classPartition", partition),
            _t(partition, _VOID + "class", ox.NamedNode(cls)),
            _t(partition, _VOID + "entities", _integer(count)),
        ]
    if stats.example:
        triples.append(_t(dataset, _VOID + "exampleResource", ox.NamedNode(stats.example)))
    return triples


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _t(subject: ox.NamedNode, predicate: str, obj: Any) -> ox.Triple:
    return ox.Triple(subject, ox.NamedNode(predicate), obj)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))


# ---------------------------------------------------------------- the endpoint

CANNED_CONTROLS = ("format", "limit", "offset")  # query-string keys of /queries/NAME that are not parameters
LANDING_PAGE_ROWS = 100  # the landing page links each canned query's first page of this many rows


def canned_bindings(canned: Any, given: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
    """A canned query's parameters as pyoxigraph terms, typed and validated by query.bind_params."""
    from rdflib import Literal, URIRef

    from .query import bind_params

    terms: dict[str, ox.NamedNode | ox.Literal] = {}
    for name, term in bind_params(canned, given).items():
        if isinstance(term, URIRef):
            terms[name] = ox.NamedNode(str(term))
        elif isinstance(term, Literal) and term.language:
            terms[name] = ox.Literal(str(term), language=term.language)
        elif isinstance(term, Literal):
            datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
            terms[name] = ox.Literal(str(term), datatype=datatype)
        else:
            raise TreatygraphError(f"parameter {name}: cannot bind {term!r}")
    return terms


@dataclass
class Endpoint:
    """What every request handler shares: configuration, the pool, the canned queries, the dataset figures."""

    config: ServeConfig
    base: str
    pool: WorkerPool
    stats: st.DatasetStats
    queries: dict[str, Any]
    union: bool

    @property
    def pages(self) -> Pages:
        return Pages(self.base, base_path(self.base))

    def call(self, operation: str, *args: Any) -> Any:
        """Run an operation in the pool; map its outcome to an answer or an EndpointError."""
        try:
            status, value = self.pool.run(operation, *args)
        except QueryTimeout:
            raise EndpointError(503, f"query timed out after {self.config.timeout:g} s and was stopped") from None
        except PoolBusy:
            raise EndpointError(503, "too many queries at once; retry shortly", {"Retry-After": "1"}) from None
        if status == "ok":
            return value
        code = {"refused": 403, "bad": 400}.get(status, 500)
        raise EndpointError(code, str(value))


def base_path(base: str) -> str:
    path = urlsplit(base).path or "/"
    return path if path.endswith("/") else path + "/"


class _Handler(BaseHTTPRequestHandler):
    server_version = "treatygraph"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle or slow client is dropped after this many seconds
    # headers and body are two writes: with Nagle on, the body waits for the client's delayed ACK (~40 ms)
    disable_nagle_algorithm = True
    endpoint: Endpoint  # set on the subclass made by make_server

    # ---- plumbing

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        if self.endpoint.config.access_log:
            super().log_message(format, *args)

    def send_body(self, status: int, media_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        charset = "; charset=utf-8" if media_type.startswith("text/") or media_type.endswith("json") else ""
        self.send_header("Content-Type", media_type + charset)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Access-Control-Allow-Origin", "*")
        if media_type == "text/html":
            self.send_header("Content-Security-Policy", CSP)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error_json(self, error: EndpointError) -> None:
        reason = HTTPStatus(error.status).phrase
        body = json.dumps({"error": {"status": error.status, "reason": reason, "message": error.message}})
        if error.status >= 500 and not self.endpoint.config.access_log:
            sys.stderr.write(f"treatygraph: serve: {self.command} {self.path[:200]}: {error.status} {error.message}\n")
        self.send_body(error.status, "application/json", body.encode("utf-8"), error.headers)

    def handle_safely(self, action: Callable[[], None]) -> None:
        try:
            action()
        except EndpointError as error:
            self.send_error_json(error)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as err:  # noqa: BLE001 - the client gets a JSON 500, the server keeps serving
            self.send_error_json(EndpointError(500, f"internal error: {type(err).__name__}: {err}"))

    # ---- methods

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's naming
        self.handle_safely(self.route_get)

    def do_HEAD(self) -> None:  # noqa: N802
        self.handle_safely(self.route_get)

    def do_POST(self) -> None:  # noqa: N802
        self.handle_safely(self.route_post)

    def refuse_method(self) -> None:
        self.read_body()  # drain, so the connection stays usable
        message = f"{self.command} is not allowed: this endpoint is read-only"
        raise EndpointError(405, message, {"Allow": "GET, HEAD, POST"})

    def do_PUT(self) -> None:  # noqa: N802
        self.handle_safely(self.refuse_method)

    def do_DELETE(self) -> None:  # noqa: N802
        self.handle_safely(self.refuse_method)

    def do_PATCH(self) -> None:  # noqa: N802
        self.handle_safely(self.refuse_method)

    # ---- routing

    def route_get(self) -> None:
        parts = urlsplit(self.path)
        path, params = parts.path, _params(parts.query)
        if path == "/":
            self.landing()
        elif path == "/style.css":
            self.send_body(200, "text/css", _resource_text("style.css").encode("utf-8"))
        elif path == CONTEXT_PATH:
            context = _resource_text("context.jsonld").encode("utf-8")
            self.send_body(200, JSON_LD, context, {"Cache-Control": "public, max-age=3600"})
        elif path == "/sparql":
            self.sparql_get(params)
        elif path in ("/void", "/.well-known/void"):
            self.void()
        elif path.startswith("/queries/"):
            self.canned(unquote(path[len("/queries/") :]), params)
        elif path.startswith(base_path(self.endpoint.base)):
            self.entity(path[len(base_path(self.endpoint.base)) :], params)
        else:
            raise EndpointError(404, "not found")

    def route_post(self) -> None:
        path = urlsplit(self.path).path
        if path != "/sparql":
            self.read_body()
            raise EndpointError(405 if path == "/" else 404, "POST goes to /sparql")
        media_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        body = self.read_body()
        if media_type == "application/sparql-update":
            raise EndpointError(403, "SPARQL Update is refused: this endpoint is read-only")
        if media_type == "application/sparql-query":
            params = _params(urlsplit(self.path).query)
            params["query"] = [_decode(body)]
        elif media_type == "application/x-www-form-urlencoded":
            params = _params(_decode(body))
        else:
            raise EndpointError(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded")
        if "update" in params:
            raise EndpointError(403, "SPARQL Update is refused: this endpoint is read-only")
        if "query" not in params:
            raise EndpointError(400, "no query: give the query as 'query'")
        self.sparql(params)

    def read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            raise EndpointError(411, "send the body with a Content-Length, not chunked")
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return b""
        try:
            length = int(length_text)
        except ValueError:
            self.close_connection = True
            raise EndpointError(400, "bad Content-Length") from None
        if length < 0 or length > self.endpoint.config.max_body:
            self.close_connection = True  # the unread body would otherwise be read as the next request
            raise EndpointError(413, f"request body over the cap of {self.endpoint.config.max_body} bytes")
        return self.rfile.read(length)

    # ---- handlers

    def landing(self) -> None:
        body = self.endpoint.pages.landing(self.endpoint.stats, self.endpoint.queries, EXAMPLE_QUERY)
        self.send_body(200, "text/html", body)

    def sparql_get(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            raise EndpointError(403, "SPARQL Update is refused: this endpoint is read-only")
        if "query" in params:
            self.sparql(params)
            return
        kinds = ranked_types(self.headers.get("Accept"), (*st.GRAPH_TYPES, "text/html"))
        if kinds and kinds[0] == "text/html":
            self.send_body(303, "text/plain", b"see /\n", {"Location": "/"})
            return
        media_type = _single(params, "format", FORMAT_NAMES) or (kinds[0] if kinds else "text/turtle")
        triples = service_description(
            self.own_url("/sparql"), self.own_url("/void"), self.endpoint.stats, self.endpoint.union
        )
        self.send_rdf(triples, media_type)

    def void(self) -> None:
        kinds = ranked_types(self.headers.get("Accept"), st.GRAPH_TYPES)
        triples = void_description(
            self.own_url("/sparql"), self.own_url("/void"), self.endpoint.base, self.endpoint.stats
        )
        self.send_rdf(triples, kinds[0] if kinds else "text/turtle")

    def send_rdf(self, triples: list[ox.Triple], media_type: str) -> None:
        if media_type not in st.GRAPH_TYPES:
            raise EndpointError(406, f"cannot answer as {media_type}; offered: {', '.join(st.GRAPH_TYPES)}")
        self.send_body(200, media_type, graph_body(triples, media_type), {"Vary": "Accept"})

    def sparql(self, params: dict[str, list[str]]) -> None:
        texts = params.get("query", [])
        if len(texts) != 1 or not texts[0].strip():
            raise EndpointError(400, "give exactly one non-empty 'query'")
        self.answer_query(texts[0], params, "SPARQL query")

    def answer_query(self, text: str, params: dict[str, list[str]], title: str) -> None:
        kinds = self.result_kinds(params, (*st.SOLUTION_TYPES, *st.GRAPH_TYPES, "text/html"))
        as_html = kinds[0] == "text/html"
        accept = ("application/sparql-results+json", "text/turtle") if as_html else kinds
        graphs = tuple(params.get("default-graph-uri", [])), tuple(params.get("named-graph-uri", []))
        answer: st.QueryAnswer = self.endpoint.call("query", text, accept, self.endpoint.config.max_results, *graphs)
        headers = {"Vary": "Accept"}
        if answer.truncated:
            headers["X-SPARQL-MaxRows"] = str(self.endpoint.config.max_results)
        if as_html:
            body = self.endpoint.pages.results(title, answer, self.endpoint.config.max_results)
            self.send_body(200, "text/html", body, headers)
        else:
            self.send_body(200, answer.media_type, answer.body, headers)

    def result_kinds(self, params: dict[str, list[str]], offered: tuple[str, ...]) -> tuple[str, ...]:
        """The media types to answer in, best first: `format=` if given, else the Accept header's choice."""
        chosen = _single(params, "format", FORMAT_NAMES)
        kinds = (chosen,) if chosen else ranked_types(self.headers.get("Accept"), offered)
        if not kinds:
            raise EndpointError(406, f"no acceptable result format; offered: {', '.join(offered)}")
        return kinds

    def canned(self, name: str, params: dict[str, list[str]]) -> None:
        """A canned query, a page at a time: `limit`/`offset` pick the page (rows in the store's order, each
        page sorted); without `limit` the answer is the first `max_results` rows, sorted, complete when no
        more follow. A `Link: <...>; rel="next"` header (and a link on the HTML page) points at the next page."""
        canned = self.endpoint.queries.get(name)
        if canned is None:
            raise EndpointError(404, f"no canned query {name!r}; known: {', '.join(sorted(self.endpoint.queries))}")
        given = {key: values[-1] for key, values in params.items() if key not in CANNED_CONTROLS}
        page = self.canned_page(canned, given, params)
        kinds = self.result_kinds(params, (*st.SOLUTION_TYPES, "text/html"))
        as_html = kinds[0] == "text/html"
        accept = ("application/sparql-results+json",) if as_html else kinds
        answer, more = self.endpoint.call("canned", canned, given, accept, page)
        next_page = self.next_page(name, params, page, answer.count) if more else None
        headers = {"Vary": "Accept"}
        if next_page:
            headers["Link"] = f'<{next_page}>; rel="next"'
        if more and "limit" not in params:
            headers["X-SPARQL-MaxRows"] = str(self.endpoint.config.max_results)
        if as_html:
            title = f"{name}: {canned.answers}"
            body = self.endpoint.pages.results(title, answer, self.endpoint.config.max_results, next_page)
            self.send_body(200, "text/html", body, headers)
        else:
            self.send_body(200, answer.media_type, answer.body, headers)

    def canned_page(self, canned: Any, given: dict[str, str], params: dict[str, list[str]]) -> Page:
        """The page asked for, checked (400 on a bad parameter, limit or offset); at most `max_results` rows."""
        from .query import Page, bind_params, parse_page

        cap = self.endpoint.config.max_results
        try:
            bind_params(canned, given)  # a mistyped parameter is refused before a worker is used
            page = parse_page(_last(params, "limit"), _last(params, "offset")) or Page(cap)
        except TreatygraphError as err:
            raise EndpointError(400, str(err)) from None
        if page.limit is not None and page.limit > cap:
            raise EndpointError(400, f"limit {page.limit}: over this endpoint's cap of {cap} rows per answer")
        return Page(page.limit or cap, page.offset)

    def next_page(self, name: str, params: dict[str, list[str]], page: Page, count: int) -> str:
        kept = [(key, value) for key, values in params.items() if key not in ("limit", "offset") for value in values]
        paging = [("limit", str(page.limit)), ("offset", str(page.offset + count))]
        return "/queries/" + quote(name) + "?" + urlencode(kept + paging)

    def entity(self, rest: str, params: dict[str, list[str]]) -> None:
        iris = entity_iris(self.endpoint.base, rest)
        if not iris:
            raise EndpointError(404, "not an entity IRI")
        offered = ("text/html", *st.GRAPH_TYPES)
        chosen = _single(params, "format", FORMAT_NAMES)
        kinds = (chosen,) if chosen else ranked_types(self.headers.get("Accept"), offered)
        if not kinds or kinds[0] not in offered:
            raise EndpointError(406, f"no acceptable format; offered: {', '.join(offered)}")
        limit = self.endpoint.config.max_results
        if kinds[0] == "text/html":
            view = self.endpoint.call("view", iris, limit)
            if view is None:
                raise EndpointError(404, "no such entity")
            self.send_body(200, "text/html", self.endpoint.pages.entity(view), {"Vary": "Accept"})
            return
        found = self.endpoint.call("describe", iris, kinds[0], limit)
        if found is None:
            raise EndpointError(404, "no such entity")
        self.send_body(200, kinds[0], found[1], {"Vary": "Accept"})

    def own_url(self, path: str) -> str:
        host = self.headers.get("Host") or ""
        if not _HOST.match(host):
            config = self.endpoint.config
            host = f"{config.host}:{self.server.server_port}"  # type: ignore[attr-defined]
        return f"http://{host}{path}"


_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_SAFE_REST = re.compile(r"^[^\x00-\x20<>\"{}|\\^`]+$")


def entity_iris(base: str, rest: str) -> list[str]:
    """The IRIs a request path (after the base path) may name: as sent, and with %-escapes decoded
    (clients escape non-ASCII IRI characters). Only ever looked up in the store; dot segments are refused."""
    candidates = []
    for form in (rest, unquote(rest)):
        if not form or not _SAFE_REST.match(form) or base + form in candidates:
            continue
        if any(segment in (".", "..") for segment in form.split("/")):
            continue
        candidates.append(base + form)
    return candidates


def _params(query_string: str) -> dict[str, list[str]]:
    try:
        return parse_qs(query_string, keep_blank_values=True, strict_parsing=False, max_num_fields=200)
    except ValueError as err:
        raise EndpointError(400, f"bad query string: {err}") from None


def _last(params: dict[str, list[str]], key: str) -> str | None:
    values = params.get(key)
    return values[-1] if values else None


def _single(params: dict[str, list[str]], key: str, names: dict[str, str]) -> str | None:
    values = params.get(key)
    if not values:
        return None
    value = values[-1].strip().lower()
    if value in names:
        return names[value]
    if value in names.values():
        return value
    raise EndpointError(400, f"unknown {key} {values[-1]!r}; known: {', '.join(sorted(names))}")


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise EndpointError(400, "the request body is not UTF-8") from None


# ---------------------------------------------------------------- running


def make_server(endpoint: Endpoint) -> ThreadingHTTPServer:
    handler = type("Handler", (_Handler,), {"endpoint": endpoint})
    server = ThreadingHTTPServer((endpoint.config.host, endpoint.config.port), handler)
    server.daemon_threads = True
    return server


def _load_canned_queries() -> dict[str, Any]:
    from .query import load_queries

    return load_queries()


def serve(config: ServeConfig, ready: Callable[[str, Endpoint], None] | None = None) -> None:
    """Load the graph, start the workers and serve until interrupted (Ctrl-C or SIGTERM)."""
    temporary = config.store_dir is None
    location = Path(tempfile.mkdtemp(prefix="treatygraph-store-")) if temporary else config.store_dir
    assert location is not None
    pool: WorkerPool | None = None
    try:
        union = st.is_dataset_file(config.graph)
        loaded = st.load_store(config.graph, location)
        base = config.base or st.infer_base(loaded, union) or DEFAULT_BASE
        stats = st.dataset_stats(loaded, union)
        del loaded  # workers open the folder read-only; the loader's handle is no longer needed
        queries = _load_canned_queries()
        pool = WorkerPool(location, union, max(1, config.workers), config.timeout, max(0, config.max_waiting))
        pool.start()
        endpoint = Endpoint(config, base, pool, stats, queries, union)
        server = make_server(endpoint)
        _stop_on_sigterm(server)
        if ready:
            ready(f"http://{config.host}:{server.server_address[1]}/", endpoint)
        with server:
            server.serve_forever(poll_interval=0.2)
    finally:
        if pool is not None:
            pool.close()
        if temporary:
            shutil.rmtree(location, ignore_errors=True)


def _stop_on_sigterm(server: ThreadingHTTPServer) -> None:
    if threading.current_thread() is not threading.main_thread():
        return

    def stop(_signum: int, _frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
