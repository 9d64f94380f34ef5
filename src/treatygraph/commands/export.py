"""`treatygraph export --graph FILE --format turtle|jsonld|nt|trig --out PATH [--inferred FILE]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rdflib import Graph

from ..export import EXPORT_FORMATS, check_writable, export_graph
from ..query import load_graph
from ..types import TreatygraphError

INFERRED_NAME = "inferred.ttl"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the graph as Turtle, N-Triples, JSON-LD or TriG (one named graph per article)",
        description="Export a graph for sharing. JSON-LD uses readable keys (label, signedOn, hasParty, ...); "
        "TriG keeps each article's statements in a graph named by the article IRI.",
    )
    parser.add_argument("--graph", type=Path, required=True, help="the graph file (treatygraph.ttl from build)")
    parser.add_argument("--format", choices=list(EXPORT_FORMATS), required=True)
    parser.add_argument("--out", type=Path, required=True, help="file to write (replaced atomically)")
    parser.add_argument(
        "--inferred",
        type=Path,
        default=None,
        help=f"TriG only: inferred triples for graph <base>graph/inferred (default: {INFERRED_NAME} next to --graph)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.inferred is not None and args.format != "trig":
        raise TreatygraphError("--inferred applies to --format trig only")
    check_writable(args.out)  # before the graph is read: a wrong --out is told at once
    graph = load_graph(args.graph)
    inferred = load_graph(args.inferred) if args.inferred is not None else _default_inferred(args)
    export_graph(graph, args.format, args.out, inferred)
    sys.stderr.write(f"treatygraph: wrote {args.out} ({args.format})\n")
    return 0


def _default_inferred(args: argparse.Namespace) -> Graph | None:
    """TriG only: OUT/inferred.ttl beside the graph file, when the build wrote one."""
    candidate = args.graph.parent / INFERRED_NAME
    if args.format != "trig" or not candidate.is_file() or candidate.resolve() == args.graph.resolve():
        return None
    return load_graph(candidate)
