"""`treatygraph query NAME --graph FILE [--format json|csv|table] [--param KEY=VALUE ...] [--limit N] [--offset M]`
and `query --list`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..query import (
    RENDERERS,
    CannedQuery,
    Page,
    QueryResult,
    load_graph,
    load_queries,
    parse_page,
    parse_param_args,
    run_query,
    run_query_on_store,
)
from ..store import open_read_only, store_for_graph
from ..types import TreatygraphError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run a canned SPARQL query (queries/NAME.rq) on a graph",
        description="Run a canned SPARQL query on a graph file. `--list` shows the queries and their parameters.",
    )
    parser.add_argument("name", nargs="?", help="query name (see --list)")
    parser.add_argument("--graph", type=Path, help="RDF file: .ttl, .nt, .trig, .nq, .jsonld")
    parser.add_argument(
        "--format",
        choices=sorted(RENDERERS),
        default=None,
        help="json = W3C SPARQL 1.1 Query Results JSON; default: table on a terminal, json otherwise",
    )
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="query parameter")
    parser.add_argument(
        "--limit",
        metavar="N",
        help="a page of at most N rows (from the store: the next N rows it yields, streamed; each page sorted)",
    )
    parser.add_argument("--offset", metavar="M", help="skip the first M rows (with --limit: the page after them)")
    parser.add_argument("--list", action="store_true", help="list the canned queries and exit")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    queries = load_queries()
    if args.list:
        sys.stdout.write(describe_queries(queries))
        return 0
    if not args.name:
        raise TreatygraphError(f"which query? known: {', '.join(sorted(queries))}")
    query = queries.get(args.name)
    if query is None:
        raise TreatygraphError(f"unknown query {args.name!r}; known: {', '.join(sorted(queries))}")
    params = parse_param_args(args.param)
    page = parse_page(args.limit, args.offset)
    if args.graph is None:
        raise TreatygraphError("query needs --graph FILE")
    result = _answer(args.graph, query, params, page)
    fmt = args.format or ("table" if sys.stdout.isatty() else "json")
    sys.stdout.write(RENDERERS[fmt](result))
    if fmt == "json":
        sys.stdout.write("\n")
    if result.more and page is not None:
        sys.stderr.write(f"more rows follow: the next page is --offset {page.offset + len(result.rows)}\n")
    return 0


def _answer(graph_file: Path, query: CannedQuery, params: dict[str, str], page: Page | None) -> QueryResult:
    """From the store `build` wrote beside the file when it holds exactly this file (no parsing), else
    from the file itself."""
    location = store_for_graph(graph_file)
    if location is not None:
        return run_query_on_store(open_read_only(location), query, params, page)
    return run_query(load_graph(graph_file), query, params, page)


def describe_queries(queries: dict[str, CannedQuery]) -> str:
    lines = []
    for name in sorted(queries):
        query = queries[name]
        lines.append(f"{name}: {query.answers}")
        for param in query.params:
            default = "required" if param.default is None else f"default {param.default}"
            doc = f" -- {param.doc}" if param.doc else ""
            lines.append(f"    --param {param.name}=<{param.datatype}> ({default}){doc}")
    return "\n".join(lines) + "\n"
