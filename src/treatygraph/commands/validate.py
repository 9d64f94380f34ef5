"""`treatygraph validate --graph FILE [--format text|json]`: check a built graph against the SHACL shapes.

Exit 0 when the graph conforms (warnings allowed), 1 when it has violations, 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check a graph against the SHACL shapes",
        description="Check a graph (Turtle, TriG, N-Triples, ...) against shapes/*.ttl and report each problem "
        "with the article file and sentence it came from. Exit 0: conforms (warnings allowed); "
        "1: violations; 2: bad input.",
    )
    parser.add_argument("--graph", required=True, type=Path, help="the graph file, e.g. OUT/treatygraph.ttl")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="report format (default: text)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..validate import load_graph, render_json, render_text, validate  # pyshacl: imported only when used

    report = validate(load_graph(args.graph))
    sys.stdout.write(render_json(report) + "\n" if args.format == "json" else render_text(report))
    return 0 if report.conforms else 1
