"""`treatygraph push --graph FILE (--endpoint URL | --update-endpoint URL) [--named-graph IRI] [--replace]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..push import PushOptions, RetryPolicy, push_graph


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "push",
        help="load a graph into a SPARQL 1.1 store (Graph Store Protocol or SPARQL Update), in batches",
        description="Load a graph file into a SPARQL 1.1 store: through the Graph Store HTTP Protocol "
        "(Oxigraph /store, Fuseki /DATASET/data, GraphDB /repositories/R/rdf-graphs/service) or through "
        "INSERT DATA batches to an update endpoint. Credentials come only from the environment: "
        "TREATYGRAPH_PUSH_TOKEN (bearer), or TREATYGRAPH_PUSH_USER and TREATYGRAPH_PUSH_PASSWORD (basic).",
    )
    parser.add_argument("--graph", type=Path, required=True, help="RDF file: .ttl, .nt, .trig, .nq, .jsonld")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--endpoint", help="Graph Store HTTP Protocol URL")
    target.add_argument("--update-endpoint", help="SPARQL 1.1 Update URL (INSERT DATA batches)")
    parser.add_argument("--named-graph", help="put every triple in this graph (default: the file's own graphs)")
    parser.add_argument("--replace", action="store_true", help="replace the target graph(s) instead of adding to them")
    parser.add_argument("--batch-size", type=int, default=50_000, help="triples per request (default 50000)")
    parser.add_argument("--retries", type=int, default=4, help="retries per request after the first try (default 4)")
    parser.add_argument("--request-timeout", type=float, default=120.0, help="seconds per request (default 120)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    options = PushOptions(
        protocol="update" if args.update_endpoint else "gsp",
        named_graph=args.named_graph,
        replace=args.replace,
        batch_triples=args.batch_size,
        request_timeout=args.request_timeout,
        retry=RetryPolicy(attempts=max(0, args.retries) + 1),
    )
    progress = None if args.quiet else _progress
    report = push_graph(args.graph, args.update_endpoint or args.endpoint, options, progress=progress)
    graphs = ", ".join("default graph" if g == "" else f"<{g}>" for g in report.graphs) or "no graph"
    sys.stdout.write(
        f"pushed {report.triples} triples in {report.batches} batches to {report.endpoint} ({graphs}) "
        f"in {report.seconds:.2f} s: {report.triples_per_second:,.0f} triples/s"
        + (f", {report.retries} retries" if report.retries else "")
        + "\n"
    )
    return 0


def _progress(line: str) -> None:
    sys.stderr.write(f"treatygraph: push: {line}\n")
