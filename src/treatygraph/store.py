"""The graph in a pyoxigraph store: load a graph file once, guard and run read-only SPARQL, describe entities.

A store lives in memory or in a folder on disk. A folder remembers which graph file it was loaded from
(path, size, mtime), so restarting `serve --store DIR` on the same file reuses it instead of reloading.

Query text is screened before it reaches the store (`forbidden_operation`): pyoxigraph refuses updates
in `query()` on its own, but it *does* execute SERVICE by making outbound HTTP requests, so SERVICE is
refused here by a scanner that knows SPARQL strings, IRIs and comments.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from .atomic import atomic_write_text
from .types import TreatygraphError
from .vocab import DEFAULT_BASE, PREFIXES

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
DATASET_FORMATS = (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)
SOURCE_MARKER = "treatygraph-source.json"
UPDATING_MARKER = "treatygraph-updating"  # a build is updating the store in place (or was killed doing it)

# Media types the endpoint can answer with, by result kind.
SOLUTION_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
GRAPH_TYPES = ("text/turtle", "application/ld+json", "application/n-triples")
_GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}
_BOOLEAN_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
SERIALIZE_PREFIXES = {name: str(ns) for name, ns in PREFIXES.items()}

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class QueryRefused(TreatygraphError):
    """A query the read-only endpoint will not run (update, LOAD, SERVICE): the client's fault, never retried."""


# ---------------------------------------------------------------- loading


def graph_format(path: Path) -> ox.RdfFormat:
    fmt = RDF_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise TreatygraphError(f"{path}: unknown RDF file extension (known: {', '.join(sorted(RDF_FORMATS))})")
    return fmt


def is_dataset_file(path: Path) -> bool:
    """TriG / N-Quads keep facts in named graphs: such a store is queried with the union as default graph."""
    return graph_format(path) in DATASET_FORMATS


def load_store(graph: Path, location: Path | None = None) -> ox.Store:
    """The graph file in a store: in memory, or on disk in `location` (reused when it already holds this file)."""
    fmt = graph_format(graph)
    if not graph.is_file():
        raise TreatygraphError(f"{graph}: no such graph file")
    if location is None:
        store = ox.Store()
        _load_into(store, graph, fmt, bulk=False)
        return store
    marker = location / SOURCE_MARKER
    source = _source_signature(graph)
    if marker.is_file() and _read_marker(marker) == source:
        return ox.Store(str(location))
    if location.exists() and any(location.iterdir()) and not marker.is_file():
        raise TreatygraphError(f"{location}: folder is not empty and was not made by treatygraph; choose another")
    location.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)  # a half-loaded folder must never look complete
    store = ox.Store(str(location))
    store.clear()
    _load_into(store, graph, fmt, bulk=True)
    store.flush()
    atomic_write_text(marker, json.dumps(source))
    return store


def _load_into(store: ox.Store, graph: Path, fmt: ox.RdfFormat, bulk: bool) -> None:
    try:
        if bulk:
            store.bulk_load(path=str(graph), format=fmt)
        else:
            store.load(path=str(graph), format=fmt)
    except (SyntaxError, ValueError, OSError) as err:
        raise TreatygraphError(f"{graph}: cannot load: {' '.join(str(err).split())[:400]}") from None


def begin_update(location: Path) -> None:
    """Before an update in place: the folder no longer holds any graph file whole, but stays ours."""
    atomic_write_text(location / UPDATING_MARKER, "")
    (location / SOURCE_MARKER).unlink(missing_ok=True)


def mark_store(location: Path, graph: Path) -> None:
    """After an update in place: the store folder `location` holds exactly `graph`."""
    atomic_write_text(location / SOURCE_MARKER, json.dumps(_source_signature(graph)))
    (location / UPDATING_MARKER).unlink(missing_ok=True)


def source_signature(graph: Path) -> dict[str, Any] | None:
    """What a store folder's marker says of the graph file it holds; None when the file is missing."""
    try:
        return _source_signature(graph)
    except OSError:
        return None


def _source_signature(graph: Path) -> dict[str, Any]:
    stat = graph.stat()
    return {"path": str(graph.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _read_marker(marker: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def select(store: ox.Store, text: str, union: bool = False, **options: Any) -> ox.QuerySolutions:
    """A SELECT query's solutions (a TypeError for other query forms: a programming error)."""
    results = store.query(text, use_default_graph_as_union=union, **options)
    if not isinstance(results, ox.QuerySolutions):
        raise TypeError("expected a SELECT query")
    return results


def open_read_only(location: Path) -> ox.Store:
    """A read-only handle on a store folder: any number of processes may hold one at once."""
    return ox.Store.read_only(str(location))


def infer_base(store: ox.Store, union: bool = False) -> str:
    """The base the graph was built with: read off the extractor agent's IRI (base + "agent/treatygraph-extractor"),
    else off an article IRI; the documented default when the graph has neither."""
    query = """
        SELECT ?x WHERE {
          { ?x a <http://www.w3.org/ns/prov#SoftwareAgent> }
          UNION { ?x a <https://w3id.org/treatygraph/ontology#Article> }
          FILTER(isIRI(?x))
        } LIMIT 50"""
    for solution in select(store, query, union):
        iri = solution["x"].value
        for marker in ("agent/treatygraph-extractor", "article/"):
            cut = iri.rfind(marker)
            if cut > 0 and (marker.startswith("article/") or iri.endswith(marker)):
                return iri[:cut]
    return DEFAULT_BASE


# ---------------------------------------------------------------- screening query text

_LONG_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'', re.S)
_SHORT_STRING = re.compile(r'"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\'')
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_COMMENT = re.compile(r"#[^\n\r]*")
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")


def sparql_segments(text: str) -> Iterator[tuple[str, str]]:
    """Split query text into ("code" | "string" | "iri" | "comment", text) segments, left to right.

    Only a complete string, IRI or comment is set apart; anything doubtful stays "code", so a keyword
    can never hide from `forbidden_operation` in a segment the SPARQL parser would read as code."""
    code_start = pos = 0
    while pos < len(text):
        char = text[pos]
        match = None
        kind = ""
        if char in "\"'":
            match = _LONG_STRING.match(text, pos) or _SHORT_STRING.match(text, pos)
            kind = "string"
        elif char == "<":
            match, kind = _IRIREF.match(text, pos), "iri"
        elif char == "#":
            match, kind = _COMMENT.match(text, pos), "comment"
        elif char == "\\":  # an escape in a prefixed name (ex:a\#b): the next char is not a comment start
            pos += 2
            continue
        if match is None:
            pos += 1
            continue
        if code_start < pos:
            yield "code", text[code_start:pos]
        yield kind, match.group(0)
        pos = code_start = match.end()
    if code_start < len(text):
        yield "code", text[code_start:]


def _keyword(word: str) -> re.Pattern[str]:
    # a keyword, not part of a prefixed name (svc:SERVICE, SERVICE:x), a variable (?service) or a longer word
    return re.compile(rf"(?<![\w:?$\\.-]){word}(?![\w:-])", re.I)


_SERVICE = _keyword("SERVICE")
_UPDATES = [(word, _keyword(word)) for word in _UPDATE_WORDS]


def forbidden_operation(text: str) -> str | None:
    """Why the query text must not run on a read-only endpoint, or None when it may."""
    decoded = _CODEPOINT_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    for variant in {text, decoded}:
        code = " ".join(segment for kind, segment in sparql_segments(variant) if kind == "code")
        if _SERVICE.search(code):
            return "SERVICE (federated query) is refused: this endpoint makes no outbound requests"
        for word, pattern in _UPDATES:
            if pattern.search(code):
                return f"SPARQL Update ({word.upper()}) is refused: this endpoint is read-only"
    return None


def substitute_variables(text: str, values: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """Replace the variables `?name`/`$name` in code with constants.

    pyoxigraph's `substitutions` only accepts variables of the SELECT projection, and canned queries use
    their parameters in filters; so the terms are written in. Each term is serialised by pyoxigraph from a
    validated value (strings escaped as in N-Triples), so a value can never become query syntax."""
    if not values:
        return text
    pattern = re.compile(r"[?$](" + "|".join(re.escape(name) for name in values) + r")(?![\w\u00B7\u0300-\u036F])")
    parts = []
    for kind, segment in sparql_segments(text):
        if kind == "code":
            segment = pattern.sub(lambda m: " " + str(values[m.group(1)]) + " ", segment)
        parts.append(segment)
    return "".join(parts)


# ---------------------------------------------------------------- running queries


@dataclass(frozen=True)
class QueryAnswer:
    """A query's answer, serialised. `truncated`: the result cap cut it short after `count` rows or triples."""

    media_type: str
    body: bytes
    count: int
    truncated: bool


def run_query(
    store: ox.Store,
    text: str,
    accept: tuple[str, ...],
    max_results: int,
    union: bool = False,
    default_graphs: tuple[str, ...] = (),
    named_graphs: tuple[str, ...] = (),
) -> QueryAnswer:
    """Run a read-only query; serialise into the first type of `accept` that fits its kind (else the kind's default).

    Raises QueryRefused for forbidden operations and SyntaxError for malformed queries."""
    reason = forbidden_operation(text)
    if reason:
        raise QueryRefused(reason)
    options: dict[str, Any] = {"use_default_graph_as_union": union and not default_graphs}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(iri) for iri in default_graphs]
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs]
    results = store.query(text, **options)
    if isinstance(results, ox.QueryBoolean):
        media_type = _pick(accept, SOLUTION_TYPES)
        return QueryAnswer(media_type, results.serialize(format=_BOOLEAN_FORMATS[media_type]) or b"", 1, False)
    if isinstance(results, ox.QuerySolutions):
        media_type = _pick(accept, SOLUTION_TYPES)
        names = [v.value for v in results.variables]
        rows = list(itertools.islice(results, max_results + 1))
        truncated = len(rows) > max_results
        rows = rows[:max_results]
        return QueryAnswer(media_type, serialize_solutions(names, rows, media_type), len(rows), truncated)
    media_type = _pick(accept, GRAPH_TYPES)
    triples = list(itertools.islice(results, max_results + 1))
    truncated = len(triples) > max_results
    triples = triples[:max_results]
    return QueryAnswer(media_type, serialize_triples(triples, media_type), len(triples), truncated)


def _pick(accept: tuple[str, ...], offered: tuple[str, ...]) -> str:
    return next((media_type for media_type in accept if media_type in offered), offered[0])


def serialize_triples(triples: Iterable[ox.Triple], media_type: str) -> bytes:
    fmt = _GRAPH_FORMATS[media_type]
    prefixes = SERIALIZE_PREFIXES if fmt is ox.RdfFormat.TURTLE else None
    return ox.serialize(list(triples), format=fmt, prefixes=prefixes) or b""


def serialize_solutions(names: list[str], rows: list[ox.QuerySolution], media_type: str) -> bytes:
    """SELECT results in a W3C results format. Written here, not by pyoxigraph, because the result cap
    needs a row limit that pyoxigraph's serialisers (which drain the whole iterator) do not have."""
    if media_type == "application/sparql-results+json":
        return _solutions_json(names, rows)
    if media_type == "application/sparql-results+xml":
        return _solutions_xml(names, rows)
    if media_type == "text/csv":
        return _solutions_csv(names, rows)
    return _solutions_tsv(names, rows)


def _solutions_json(names: list[str], rows: list[ox.QuerySolution]) -> bytes:
    bindings = []
    for row in rows:
        bindings.append({name: term_json(row[name]) for name in names if row[name] is not None})
    document = {"head": {"vars": names}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    parts = ("subject", "predicate", "object")
    return {"type": "triple", "value": {part: term_json(getattr(term, part)) for part in parts}}


def _solutions_xml(names: list[str], rows: list[ox.QuerySolution]) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    out += [f"<variable name={quoteattr(name)}/>" for name in names]
    out.append("</head><results>")
    for row in rows:
        out.append("<result>")
        for name in names:
            if row[name] is not None:
                out.append(f"<binding name={quoteattr(name)}>{_term_xml(row[name])}</binding>")
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out).encode("utf-8")


def _term_xml(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{xml_escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{xml_escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{xml_escape(term.value)}</literal>"
        return f"<literal>{xml_escape(term.value)}</literal>"
    inner = "".join(f"<{p}>{_term_xml(getattr(term, p))}</{p}>" for p in ("subject", "predicate", "object"))
    return f"<triple>{inner}</triple>"


def _solutions_csv(names: list[str], rows: list[ox.QuerySolution]) -> bytes:
    lines = [",".join(_csv_field(name) for name in names)]
    for row in rows:
        lines.append(",".join(_csv_field(_csv_value(row[name])) for name in names))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _csv_field(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value


def _solutions_tsv(names: list[str], rows: list[ox.QuerySolution]) -> bytes:
    # TSV cells are terms in SPARQL/N-Triples syntax, which str() of a pyoxigraph term gives (tabs escaped)
    lines = ["\t".join(f"?{name}" for name in names)]
    for row in rows:
        lines.append("\t".join("" if row[name] is None else str(row[name]) for name in names))
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------- describing one entity

_LABEL_OF = """
  OPTIONAL { ?{v} <http://www.w3.org/2004/02/skos/core#prefLabel> ?{v}Pref }
  OPTIONAL { ?{v} <http://www.w3.org/2000/01/rdf-schema#label> ?{v}Label }
  OPTIONAL { ?{v} <http://purl.org/dc/terms/title> ?{v}Title }
"""


def _label_block(var: str) -> str:
    return _LABEL_OF.replace("{v}", var)


def _label_select(var: str) -> str:
    return f"(SAMPLE(COALESCE(?{var}Pref, ?{var}Label, ?{var}Title)) AS ?{var}Name)"


def entity_exists(store: ox.Store, iri: str, union: bool = False) -> bool:
    node = ox.NamedNode(iri)
    if next(iter(store.quads_for_pattern(node, None, None, None if union else ox.DefaultGraph())), None):
        return True
    return next(iter(store.quads_for_pattern(None, None, node, None if union else ox.DefaultGraph())), None) is not None


def describe_entity(store: ox.Store, iri: str, max_incoming: int, union: bool = False) -> list[ox.Triple]:
    """The entity's own triples, those of its hash IRIs (iri#quote), and up to `max_incoming` triples
    that point at it; empty when the store does not know the IRI."""
    node = ox.NamedNode(iri)
    graph = None if union else ox.DefaultGraph()
    triples = {quad.triple for quad in store.quads_for_pattern(node, None, None, graph)}
    for quad in list(store.quads_for_pattern(node, None, None, graph)):
        child = quad.object
        if isinstance(child, ox.NamedNode) and child.value.startswith(iri + "#"):
            triples.update(q.triple for q in store.quads_for_pattern(child, None, None, graph))
    incoming = store.quads_for_pattern(None, None, node, graph)
    triples.update(quad.triple for quad in itertools.islice(incoming, max_incoming))
    return sorted(triples, key=str)


@dataclass(frozen=True)
class TermView:
    """An RDF term as a page shows it: kind "iri" | "literal" | "bnode", its value, and a label when known."""

    kind: str
    value: str
    label: str | None = None
    language: str | None = None
    datatype: str | None = None


@dataclass(frozen=True)
class FactView:
    predicate: str
    value: TermView
    via: str | None = None  # the predicate to a hash IRI the fact hangs off (oa:hasSelector), if any


@dataclass(frozen=True)
class EvidenceView:
    predicate: str
    value: TermView
    quote: str | None
    article: TermView | None
    confidence: str | None
    rule: str | None


@dataclass(frozen=True)
class EntityView:
    """Everything the HTML page of one entity shows; plain strings, so it crosses process boundaries."""

    iri: str
    label: str | None
    types: tuple[str, ...]
    facts: tuple[FactView, ...]
    evidence: tuple[EvidenceView, ...]
    incoming: tuple[FactView, ...]  # value = the subject pointing at this entity


_FACTS_QUERY = (
    "SELECT ?e ?via ?p ?o "
    + _label_select("o")
    + """ WHERE {
  { ?e ?p ?o } UNION { ?e ?via ?c . ?c ?p ?o FILTER(isIRI(?c) && STRSTARTS(STR(?c), CONCAT(STR(?e), "#"))) }
  """
    + _label_block("o")
    + "} GROUP BY ?e ?via ?p ?o ORDER BY ?via ?p ?o LIMIT {limit}"
)

_EVIDENCE_QUERY = (
    "SELECT ?e ?p ?o ?quote ?article ?conf ?rule "
    + _label_select("o")
    + " "
    + _label_select("article")
    + """ WHERE {
  ?rec <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?e ;
       <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?p ;
       <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?o .
  OPTIONAL { ?rec <https://w3id.org/treatygraph/ontology#confidence> ?conf }
  OPTIONAL { ?rec <https://w3id.org/treatygraph/ontology#rule> ?rule }
  OPTIONAL { ?rec <https://w3id.org/treatygraph/ontology#evidence> ?ev .
    OPTIONAL { ?ev <http://www.w3.org/ns/oa#hasSource> ?article }
    OPTIONAL { ?ev <http://www.w3.org/ns/oa#hasSelector> ?sel . ?sel <http://www.w3.org/ns/oa#exact> ?quote } }
  """
    + _label_block("o")
    + _label_block("article")
    + """
} GROUP BY ?e ?p ?o ?quote ?article ?conf ?rule ORDER BY ?p ?o DESC(?conf) LIMIT {limit}"""
)

_INCOMING_QUERY = (
    "SELECT ?e ?s ?p "
    + _label_select("s")
    + """ WHERE {
  ?s ?p ?e FILTER(?p NOT IN (<http://www.w3.org/1999/02/22-rdf-syntax-ns#subject>,
                             <http://www.w3.org/1999/02/22-rdf-syntax-ns#object>))
  """
    + _label_block("s")
    + "} GROUP BY ?e ?s ?p ORDER BY ?p ?s LIMIT {limit}"
)


def entity_view(store: ox.Store, iri: str, limit: int, union: bool = False) -> EntityView | None:
    """The page content of one entity, or None when the store does not know the IRI."""
    if not entity_exists(store, iri, union):
        return None
    subs: dict[ox.Variable, Term] = {ox.Variable("e"): ox.NamedNode(iri)}

    def rows(template: str) -> ox.QuerySolutions:
        return select(store, template.replace("{limit}", str(int(limit))), union, substitutions=subs)

    facts = tuple(
        FactView(row["p"].value, term_view(row["o"], row["oName"]), row["via"].value if row["via"] else None)
        for row in rows(_FACTS_QUERY)
    )
    evidence = tuple(
        EvidenceView(
            row["p"].value,
            term_view(row["o"], row["oName"]),
            row["quote"].value if row["quote"] else None,
            term_view(row["article"], row["articleName"]) if row["article"] else None,
            row["conf"].value if row["conf"] else None,
            row["rule"].value if row["rule"] else None,
        )
        for row in rows(_EVIDENCE_QUERY)
    )
    incoming = tuple(FactView(row["p"].value, term_view(row["s"], row["sName"])) for row in rows(_INCOMING_QUERY))
    types = tuple(f.value.value for f in facts if f.via is None and f.predicate == RDF_TYPE and f.value.kind == "iri")
    return EntityView(iri, _entity_label(facts), types, facts, evidence, incoming)


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LABEL_PREDICATES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
)


def _entity_label(facts: tuple[FactView, ...]) -> str | None:
    for predicate in _LABEL_PREDICATES:
        values = [f.value for f in facts if f.via is None and f.predicate == predicate and f.value.kind == "literal"]
        english = [v for v in values if (v.language or "").lower().startswith("en")]
        if english or values:
            return (english or values)[0].value
    return None


def term_view(term: Any, label: Any = None) -> TermView:
    name = label.value if isinstance(label, ox.Literal) else None
    if isinstance(term, ox.NamedNode):
        return TermView("iri", term.value, name)
    if isinstance(term, ox.BlankNode):
        return TermView("bnode", term.value, name)
    if isinstance(term, ox.Literal):
        datatype = None if term.language or term.datatype.value == XSD_STRING else term.datatype.value
        return TermView("literal", term.value, None, term.language, datatype)
    return TermView("literal", str(term))


# ---------------------------------------------------------------- dataset statistics


@dataclass(frozen=True)
class DatasetStats:
    """What the VoID description and the landing page report."""

    triples: int
    subjects: int
    objects: int
    properties: int
    classes: tuple[tuple[str, int], ...]  # (class IRI, instances), most instances first
    example: str | None = None  # a treaty's IRI, for void:exampleResource


def dataset_stats(store: ox.Store, union: bool = False) -> DatasetStats:
    def count(text: str) -> int:
        return int(next(select(store, text, union))["n"].value)

    classes = select(
        store,
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c ORDER BY DESC(?n) ?c",
        union,
    )
    treaty = "https://w3id.org/treatygraph/ontology#Treaty"
    example = select(store, f"SELECT ?t WHERE {{ ?t a <{treaty}> FILTER(isIRI(?t)) }} LIMIT 1", union)
    first = next(example, None)
    return DatasetStats(
        example=first["t"].value if first is not None else None,
        triples=count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        subjects=count("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        objects=count("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
        properties=count("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"),
        classes=tuple((row["c"].value, int(row["n"].value)) for row in classes),
    )


# ---------------------------------------------------------------- the store a build writes


def bulk_load_store(graph: Path, location: Path) -> ox.Store:
    """A new on-disk store in the empty folder `location` holding `graph` (pyoxigraph's bulk loader)."""
    store = ox.Store(str(location))
    _load_into(store, graph, graph_format(graph), bulk=True)
    store.flush()
    return store


def replace_store_folder(built: Path, target: Path, graph: Path) -> None:
    """Put the store folder `built` (loaded from `graph`) in place of `target`, marked as holding `graph`,
    so `load_store(graph, target)` and `store_for_graph(graph)` reuse it instead of loading the file again."""
    atomic_write_text(built / SOURCE_MARKER, json.dumps(_source_signature(graph)))
    if target.exists():
        if not (target / SOURCE_MARKER).is_file() and not (target / UPDATING_MARKER).is_file():
            raise TreatygraphError(f"{target}: folder exists and was not made by treatygraph; not replacing it")
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
        os.replace(built, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(built, target)


def store_for_graph(graph: Path, name: str = "store") -> Path | None:
    """The store folder beside `graph` (as `build` writes it) when it holds exactly this file, else None."""
    location = graph.parent / name
    marker = location / SOURCE_MARKER
    if not marker.is_file() or not graph.is_file():
        return None
    return location if _read_marker(marker) == _source_signature(graph) else None
