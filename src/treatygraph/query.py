"""Canned SPARQL queries: read their headers, bind parameters, run them, render the results.

A canned query is a file `queries/NAME.rq` whose leading comment lines form a header
(format in queries/README.md):

    # name: parties
    # answers: Which states, governments and organisations are parties to each treaty?
    # param: min_confidence xsd:decimal = $MIN_CONFIDENCE  -- facts below this confidence are left out
    # columns: treaty treatyLabel partyLabel party confidence
    # order: treaty partyLabel

`order` (optional) names the columns a result is sorted by, in Python after the store answers: the queries
have no ORDER BY, because sorting a whole listing in the store comes before its first row and a page then
costs as much as the full listing.

Parameter types: `xsd:date` (YYYY-MM-DD), `xsd:decimal`, `xsd:integer`, `xsd:string`, `iri` (an absolute IRI)
and `iri-or-label`, which binds `?NAME_ref` to an IRI when the value is an absolute IRI (or `<IRI>`), else to
a string literal the query matches case-insensitively against labels and aliases; so one `--param treaty=...`
takes either, and the query keeps `?NAME` free for its own column. Queries use a parameter only in
expressions (never in the projection, never in BOUND), so a store may also write the validated terms into
the query text where it lacks pre-binding.
A default written `$KEY` names a project-wide default in SHARED_DEFAULTS, so it is changed in one place.

Parameters reach the query only through rdflib's `initBindings`, never through the query text.
Loading and running stay behind `load_graph` and `run_query` (`run_query_on_store` for a pyoxigraph store).

Pages (`Page`): from a store, a page is the next `limit` rows after `offset` in the order the store yields
them (it streams: the rows before the page are skipped, nothing after it is computed); from a parsed graph
file, a slice of the sorted full result. Either way a page is sorted within itself and every row of the
full result is on exactly one page. Without a page the full result is returned, sorted.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier

from .types import TreatygraphError
from .vocab import DEFAULT_BASE, PREFIXES, XSD

# Facts whose best record's tg:confidence is below this are left out of the fact queries.
DEFAULT_MIN_CONFIDENCE = "0.5"

# Defaults a header may name as `$KEY`: one place to change a value every query shares.
SHARED_DEFAULTS: dict[str, str] = {"MIN_CONFIDENCE": DEFAULT_MIN_CONFIDENCE}

PARAM_TYPES = ("xsd:date", "xsd:decimal", "xsd:integer", "xsd:string", "iri", "iri-or-label")

GRAPH_FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
}
DATASET_FORMATS = {"trig", "nquads"}

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PARAM_RE = re.compile(r"^(?P<name>\S+)\s+(?P<type>\S+)(?:\s*=\s*(?P<default>\S+))?(?:\s+--\s*(?P<doc>.*))?$")
_IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class QueryParam:
    name: str
    datatype: str  # one of PARAM_TYPES
    default: str | None  # None: required
    doc: str = ""

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class CannedQuery:
    name: str
    answers: str
    params: tuple[QueryParam, ...]
    columns: tuple[str, ...]
    text: str
    order: tuple[str, ...] = ()  # columns a result is sorted by (then by every column)


@dataclass(frozen=True)
class QueryHeader:
    name: str
    answers: str
    params: tuple[QueryParam, ...]
    columns: tuple[str, ...]
    order: tuple[str, ...] = ()


Row = tuple[Identifier | None, ...]


@dataclass(frozen=True)
class QueryResult:
    """A SELECT result: `vars` in projection order, each row a value (or None when unbound) per var.
    `more`: this is a page and rows follow it."""

    vars: tuple[str, ...]
    rows: tuple[Row, ...]
    more: bool = False

    def dicts(self) -> list[dict[str, Identifier]]:
        return [{v: t for v, t in zip(self.vars, row, strict=True) if t is not None} for row in self.rows]


# ---------------------------------------------------------------- loading queries


def default_queries_folder() -> Path:
    return Path(__file__).resolve().parents[2] / "queries"


def load_queries(folder: Path | None = None) -> dict[str, CannedQuery]:
    """Every `*.rq` in `folder` (default: the repository's queries/), by name."""
    folder = folder or default_queries_folder()
    if not folder.is_dir():
        raise TreatygraphError(f"{folder}: no queries folder (expected the repository's queries/ with *.rq files)")
    queries: dict[str, CannedQuery] = {}
    for path in sorted(folder.glob("*.rq")):
        query = _load_query(path)
        if query.name in queries:
            raise TreatygraphError(f"{path}: query name {query.name!r} is used twice")
        queries[query.name] = query
    if not queries:
        raise TreatygraphError(f"{folder}: no *.rq queries")
    return queries


def _load_query(path: Path) -> CannedQuery:
    text = path.read_text(encoding="utf-8")
    try:
        header = parse_header(text)
    except TreatygraphError as err:
        raise TreatygraphError(f"{path}: {err}") from None
    if header.name != path.stem:
        raise TreatygraphError(f"{path}: header name {header.name!r} differs from the file name")
    return CannedQuery(header.name, header.answers, header.params, header.columns, text, header.order)


def parse_header(text: str) -> QueryHeader:
    """Read the leading `# key: value` comment lines of a query."""
    fields: dict[str, str] = {}
    params: list[QueryParam] = []
    for line in _header_lines(text):
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or key not in {"name", "answers", "param", "columns", "order"}:
            continue  # free comment text
        if key == "param":
            params.append(parse_param(value))
        elif key in fields:
            raise TreatygraphError(f"header field {key!r} given twice")
        else:
            fields[key] = value
    for key in ("name", "answers", "columns"):
        if not fields.get(key):
            raise TreatygraphError(f"header lacks '# {key}:'")
    if not _NAME_RE.match(fields["name"]):
        raise TreatygraphError(f"bad query name {fields['name']!r}")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise TreatygraphError("a parameter is declared twice")
    columns = tuple(fields["columns"].split())
    order = tuple(fields.get("order", "").split())
    unknown = [name for name in order if name not in columns]
    if unknown:
        raise TreatygraphError(f"order names {', '.join(unknown)}, not among the columns")
    return QueryHeader(fields["name"], fields["answers"], tuple(params), columns, order)


def _header_lines(text: str) -> list[str]:
    lines = []
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped.startswith("#"):
            break
        lines.append(stripped.lstrip("#").strip())
    return lines


def parse_param(spec: str) -> QueryParam:
    """`NAME TYPE [= DEFAULT] [-- doc]`, DEFAULT being a literal value or `$KEY` of SHARED_DEFAULTS."""
    match = _PARAM_RE.match(spec.strip())
    if not match:
        raise TreatygraphError(f"bad param line {spec!r} (want: NAME TYPE [= DEFAULT] [-- doc])")
    name, datatype, default = match["name"], match["type"], match["default"]
    if not _VAR_RE.match(name):
        raise TreatygraphError(f"bad param name {name!r}")
    if datatype not in PARAM_TYPES:
        raise TreatygraphError(f"param {name}: unknown type {datatype!r} (known: {', '.join(PARAM_TYPES)})")
    if default is not None and default.startswith("$"):
        if default[1:] not in SHARED_DEFAULTS:
            raise TreatygraphError(f"param {name}: unknown shared default {default!r}")
        default = SHARED_DEFAULTS[default[1:]]
    param = QueryParam(name, datatype, default, (match["doc"] or "").strip())
    if default is not None:
        _typed_value(param, default)  # a default must be a value of its type
    return param


# ---------------------------------------------------------------- parameters


def bind_params(query: CannedQuery, given: dict[str, str]) -> dict[str, Identifier]:
    """Typed SPARQL bindings for the query's parameters: given values over defaults."""
    known = {p.name: p for p in query.params}
    for name in given:
        if name not in known:
            allowed = ", ".join(known) or "none"
            raise TreatygraphError(f"query {query.name} has no parameter {name!r} (parameters: {allowed})")
    bindings: dict[str, Identifier] = {}
    for param in query.params:
        raw = given.get(param.name, param.default)
        if raw is None:
            raise TreatygraphError(f"query {query.name} needs --param {param.name}=... ({param.datatype})")
        var, term = _typed_value(param, raw)
        bindings[var] = term
    return bindings


def _typed_value(param: QueryParam, raw: str) -> tuple[str, Identifier]:
    """(variable name, term) for one parameter value; TreatygraphError naming the parameter when mistyped."""
    value = raw.strip()
    if param.datatype == "xsd:date":
        if not _DATE_RE.match(value) or not _is_iso_date(value):
            raise TreatygraphError(f"param {param.name}: {raw!r} is not a date (YYYY-MM-DD)")
        return param.name, Literal(value, datatype=XSD.date)
    if param.datatype == "xsd:decimal":
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise TreatygraphError(f"param {param.name}: {raw!r} is not a decimal number")
        return param.name, Literal(value, datatype=XSD.decimal)
    if param.datatype == "xsd:integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise TreatygraphError(f"param {param.name}: {raw!r} is not an integer")
        return param.name, Literal(value, datatype=XSD.integer)
    if param.datatype == "xsd:string":
        return param.name, Literal(raw)
    iri = _as_iri(value)
    if param.datatype == "iri":
        if iri is None:
            raise TreatygraphError(f"param {param.name}: {raw!r} is not an absolute IRI")
        return param.name, iri
    if not value:
        raise TreatygraphError(f"param {param.name}: empty label")
    return f"{param.name}_ref", iri if iri is not None else Literal(value)


def _is_iso_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _as_iri(value: str) -> URIRef | None:
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    return URIRef(value) if _IRI_RE.match(value) else None


def parse_param_args(pairs: list[str]) -> dict[str, str]:
    """`KEY=VALUE` strings (from --param) to a dict; TreatygraphError on a pair without `=`."""
    given: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise TreatygraphError(f"--param {pair!r}: expected KEY=VALUE")
        given[key.strip()] = value
    return given


# ---------------------------------------------------------------- pages


@dataclass(frozen=True)
class Page:
    """Rows [offset, offset + limit) of a result (see the module docstring); limit None: to the end."""

    limit: int | None = None
    offset: int = 0


def parse_page(limit: str | int | None, offset: str | int | None) -> Page | None:
    """A Page from user input (`--limit`/`--offset`, `limit=`/`offset=`); None when neither is given."""
    if limit is None and offset is None:
        return None
    rows = None if limit is None else _count("limit", limit, 1, "a whole number of rows, 1 or more")
    skip = 0 if offset is None else _count("offset", offset, 0, "a whole number of rows to skip, 0 or more")
    return Page(rows, skip)


def _count(name: str, value: str | int, least: int, wanted: str) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"\d{1,18}", text) or int(text) < least:
        raise TreatygraphError(f"{name} {value!r}: want {wanted}")
    return int(text)


# ---------------------------------------------------------------- graphs and running


def load_graph(path: Path) -> Graph:
    """Parse an RDF file by its extension; a TriG / N-Quads file is queried as the union of its graphs."""
    fmt = GRAPH_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(GRAPH_FORMATS))
        raise TreatygraphError(f"{path}: unknown RDF file extension (known: {known})")
    if not path.is_file():
        raise TreatygraphError(f"{path}: no such graph file")
    graph: Graph = Dataset(default_union=True) if fmt in DATASET_FORMATS else Graph()
    try:
        graph.parse(path, format=fmt)
    except Exception as err:  # rdflib raises many types (BadSyntax, SAXParseException, JSONDecodeError, ...)
        raise TreatygraphError(f"{path}{_error_line(err)}: cannot parse as {fmt}: {_error_reason(err)}") from None
    return graph


def _error_line(err: Exception) -> str:
    """`:LINE` where the parser says (rdflib's BadSyntax: `lines`, SAX: getLineNumber())."""
    line = getattr(err, "lines", None)  # BadSyntax counts lines from 0
    if isinstance(line, int):
        line += 1
    elif callable(getattr(err, "getLineNumber", None)):
        line = err.getLineNumber()  # type: ignore[attr-defined]
    return f":{line}" if isinstance(line, int) else ""


def _error_reason(err: Exception) -> str:
    reason = getattr(err, "_why", None) or str(err)
    return " ".join(str(reason).split())[:300] or type(err).__name__


def run_query(graph: Graph, query: CannedQuery, params: dict[str, str], page: Page | None = None) -> QueryResult:
    """Run a canned query on a parsed graph: the full result sorted, or a slice of it (`page`)."""
    bindings = bind_params(query, params)
    result = graph.query(_prepared(query.text), initBindings=bindings)
    names = tuple(str(v) for v in (result.vars or ()))
    produced = (tuple(_as_identifier(row[i]) for i in range(len(names))) for row in result)  # type: ignore[index]
    rows = sort_rows(names, query.order, produced)
    if page is None:
        return QueryResult(names, rows)
    end = None if page.limit is None else page.offset + page.limit
    return QueryResult(names, rows[page.offset : end], end is not None and end < len(rows))


@lru_cache(maxsize=32)
def _prepared(text: str) -> Query:
    """rdflib's parse of a query, kept: parsing takes longer than running a canned query on a small graph."""
    return prepareQuery(text)


def _as_identifier(value: object) -> Identifier | None:
    return value if isinstance(value, Identifier) else None


def run_query_on_store(
    store: Any, query: CannedQuery, params: dict[str, str], page: Page | None = None, union: bool = False
) -> QueryResult:
    """`run_query` on a pyoxigraph store (the one `build` writes): the same rows, as rdflib terms. A page is
    read off the store's lazily evaluated solutions, so only the rows up to its end are computed.

    pyoxigraph has no pre-binding of variables used in filters, so the validated parameter terms are written
    into the query text by `store.substitute_variables`, which escapes them (see store.py)."""
    from .fastvalidate import to_ox, to_rdflib
    from .store import select, substitute_variables

    bindings = bind_params(query, params)
    text = substitute_variables(query.text, {name: to_ox(term) for name, term in bindings.items()})
    solutions = select(store, text, union)
    names = tuple(variable.value for variable in solutions.variables)
    solved: Iterator[Any] = iter(solutions)
    if page is not None:  # one row past the page says whether more follow
        end = None if page.limit is None else page.offset + page.limit + 1
        solved = itertools.islice(solved, page.offset, end)
    rows = [
        tuple(None if row[name] is None else cast(Identifier, to_rdflib(row[name])) for name in names) for row in solved
    ]
    rows, more = _cut(rows, page)
    return QueryResult(names, sort_rows(names, query.order, rows), more)


def _cut(rows: list[Row], page: Page | None) -> tuple[list[Row], bool]:
    """A page's rows, read one row past its end, and whether that row was there."""
    if page is None or page.limit is None or len(rows) <= page.limit:
        return rows, False
    return rows[: page.limit], True


def sort_rows(names: tuple[str, ...], order: tuple[str, ...], rows: Iterable[Row]) -> tuple[Row, ...]:
    """Rows sorted by the `order` columns, then by every column (so the order is total and repeatable);
    terms compare as in SPARQL's ORDER BY: unbound, blank nodes, IRIs, literals (numbers by value)."""
    first = [names.index(name) for name in order]
    return tuple(sorted(rows, key=lambda row: [_term_key(row[i]) for i in first] + [_term_key(t) for t in row]))


_NUMERIC_TYPES = {
    str(XSD[name]) for name in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")
}


def _term_key(term: Identifier | None) -> tuple[Any, ...]:
    if term is None:
        return (0,)
    if isinstance(term, BNode):
        return (1, str(term))
    if not isinstance(term, Literal):
        return (2, str(term))
    if str(term.datatype) in _NUMERIC_TYPES:
        try:
            number = Decimal(str(term))
        except InvalidOperation:
            number = Decimal("NaN")
        if number.is_finite():
            return (3, 0, number, str(term))
    return (3, 1, str(term), term.language or "", str(term.datatype or ""))


# ---------------------------------------------------------------- rendering


def to_sparql_json(result: QueryResult) -> str:
    """W3C SPARQL 1.1 Query Results JSON."""
    bindings = [{var: _json_term(term) for var, term in row.items()} for row in result.dicts()]
    return json.dumps({"head": {"vars": list(result.vars)}, "results": {"bindings": bindings}}, ensure_ascii=False)


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype:
            out["datatype"] = str(term.datatype)
        return out
    raise TreatygraphError(f"cannot render {term!r} as a SPARQL result term")


def to_csv(result: QueryResult) -> str:
    """W3C SPARQL 1.1 Query Results CSV: plain values, empty for unbound."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.vars)
    for row in result.rows:
        writer.writerow(["" if t is None else _csv_value(t) for t in row])
    return buffer.getvalue()


def _csv_value(term: Identifier) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


TABLE_CELL_MAX = 60
_TABLE_PREFIXES: tuple[tuple[str, str], ...] = tuple(
    sorted(((p, str(ns)) for p, ns in PREFIXES.items()), key=lambda pair: -len(pair[1]))
) + (("id", DEFAULT_BASE),)


def to_table(result: QueryResult) -> str:
    """An aligned plain-text table for people: IRIs shortened by prefix, long cells cut (json/csv are lossless)."""
    header = list(result.vars)
    cells = [[_table_cell(t) for t in row] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = [_table_line(header, widths), _table_line(["-" * w for w in widths], widths)]
    lines += [_table_line(row, widths) for row in cells]
    count = len(cells)
    more = "; more follow" if result.more else ""
    lines.append(f"({count} row{'' if count == 1 else 's'}{more})")
    return "\n".join(lines) + "\n"


def _table_line(values: list[str], widths: list[int]) -> str:
    return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()


def _table_cell(term: Identifier | None) -> str:
    if term is None:
        return ""
    text = _short_iri(str(term)) if isinstance(term, URIRef) else str(term)
    if isinstance(term, BNode):
        text = f"_:{term}"
    text = " ".join(text.split())
    return text if len(text) <= TABLE_CELL_MAX else text[: TABLE_CELL_MAX - 1] + "…"


def _short_iri(iri: str) -> str:
    for prefix, namespace in _TABLE_PREFIXES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


RENDERERS = {"json": to_sparql_json, "csv": to_csv, "table": to_table}
