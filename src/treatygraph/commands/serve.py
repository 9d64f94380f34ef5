"""`treatygraph serve --graph FILE [--host 127.0.0.1] [--port 8000] [--base IRI] ...`: the read-only endpoint."""

from __future__ import annotations

import argparse
import errno
import socket
import sys
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from ..types import TreatygraphError

if TYPE_CHECKING:
    from ..serve import Endpoint, ServeConfig

# errors of bind(): the address, not a file, is at fault
_BIND_ERRORS = {errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES}


def _bounded(kind: Callable[[str], float], low: float, what: str) -> Callable[[str], float]:
    """An argparse type: a number of `kind` at least `low` (argparse turns the ValueError into one usage line)."""

    def parse(text: str) -> float:
        value = kind(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"{text!r}: {what}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in "invalid int value"
    return parse


_seconds = _bounded(float, 0.001, "must be a positive number of seconds")
_at_least_one = _bounded(int, 1, "must be at least 1")
_not_negative = _bounded(int, 0, "cannot be negative")


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: a port is 0 to 65535 (0 picks a free one)")
    return port


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve a graph: SPARQL endpoint at /sparql, entity pages by content negotiation",
        description="A read-only SPARQL 1.1 endpoint and linked-data server for a graph file. "
        "Updates, LOAD and SERVICE are refused; each query runs in a worker process under a timeout.",
    )
    parser.add_argument("--graph", type=Path, required=True, help="RDF file: .ttl, .nt, .trig, .nq, .jsonld")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8000, help="port (default 8000; 0 picks a free one)")
    parser.add_argument("--base", help="base of the entity IRIs (default: read off the graph, else the documented one)")
    parser.add_argument("--store", type=Path, help="keep the store in this folder and reuse it on restart")
    parser.add_argument("--timeout", type=_seconds, default=10.0, help="seconds a query may run (default 10)")
    parser.add_argument(
        "--max-results", type=_at_least_one, default=10_000, help="rows or triples per answer (default 10000)"
    )
    parser.add_argument("--max-body", type=_at_least_one, default=1 << 20, help="bytes of a POST body (default 1 MiB)")
    parser.add_argument(
        "--workers", type=_at_least_one, default=2, help="queries that run at once (worker processes; default 2)"
    )
    parser.add_argument(
        "--max-waiting", type=_not_negative, default=32, help="requests that may wait for a worker (default 32)"
    )
    parser.add_argument("--access-log", action="store_true", help="log every request on stderr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..serve import ServeConfig, serve  # the server and pyoxigraph: imported only when serving

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
    try:
        _check_address(config.host, config.port)
        serve(config, ready=_announce)
    except OSError as err:
        raise TreatygraphError(_describe_os_error(err, config)) from None
    return 0


def _check_address(host: str, port: int) -> None:
    """Bind once and let go, so a busy port or an unknown host is told before a big graph is loaded."""
    with socket.socket(ThreadingHTTPServer.address_family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: TIME_WAIT is no conflict
        probe.bind((host, port))


def _describe_os_error(err: OSError, config: ServeConfig) -> str:
    """One line naming what failed: the address to listen on, or the file or folder (--store, --graph)."""
    reason = err.strerror or str(err)
    if isinstance(err, socket.gaierror) or (err.errno in _BIND_ERRORS and err.filename is None):
        return f"cannot listen on {config.host}:{config.port} ({reason})"
    if err.filename is not None:
        return f"{err.filename}: {reason}"
    return f"serve failed: {reason}"


def _announce(url: str, endpoint: Endpoint) -> None:
    # the first line on stdout is the address: scripts started with --port 0 read it
    sys.stdout.write(f"serving {url} (SPARQL at {url}sparql; entities under {endpoint.base})\n")
    sys.stdout.write(f"graph: {endpoint.config.graph} ({endpoint.stats.triples} triples)\n")
    sys.stdout.flush()
