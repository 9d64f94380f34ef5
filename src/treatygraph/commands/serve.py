"""`treatygraph serve --graph FILE [--host 127.0.0.1] [--port 8000] [--base IRI] ...`: the read-only endpoint."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..serve import Endpoint, ServeConfig, serve


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve a graph: SPARQL endpoint at /sparql, entity pages by content negotiation",
        description="A read-only SPARQL 1.1 endpoint and linked-data server for a graph file. "
        "Updates, LOAD and SERVICE are refused; each query runs in a worker process under a timeout.",
    )
    parser.add_argument("--graph", type=Path, required=True, help="RDF file: .ttl, .nt, .trig, .nq, .jsonld")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    parser.add_argument("--base", help="base of the entity IRIs (default: read off the graph, else the documented one)")
    parser.add_argument("--store", type=Path, help="keep the store in this folder and reuse it on restart")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run (default 10)")
    parser.add_argument("--max-results", type=int, default=10_000, help="rows or triples per answer (default 10000)")
    parser.add_argument("--max-body", type=int, default=1 << 20, help="bytes of a POST body (default 1 MiB)")
    parser.add_argument("--workers", type=int, default=2, help="queries that run at once (worker processes; default 2)")
    parser.add_argument("--max-waiting", type=int, default=32, help="requests that may wait for a worker (default 32)")
    parser.add_argument("--access-log", action="store_true", help="log every request on stderr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = ServeConfig(
        graph=args.graph,
        base=args.base,
        host=args.host,
        port=args.port,
        store_dir=args.store,
        timeout=args.timeout,
        max_results=args.max_results,
        max_body=args.max_body,
        workers=args.workers,
        max_waiting=args.max_waiting,
        access_log=args.access_log,
    )
    serve(config, ready=_announce)
    return 0


def _announce(url: str, endpoint: Endpoint) -> None:
    # the first line on stdout is the address: scripts started with --port 0 read it
    sys.stdout.write(f"serving {url} (SPARQL at {url}sparql; entities under {endpoint.base})\n")
    sys.stdout.write(f"graph: {endpoint.config.graph} ({endpoint.stats.triples} triples)\n")
    sys.stdout.flush()
