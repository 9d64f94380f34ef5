"""The naive pipeline the issue measures against: one rdflib graph, owlrl's OWL RL closure over everything,
pyshacl over everything, rdflib's serializers.

    python3 benchmarks/naive.py CORPUS OUT [--json PATH]

Writes OUT/treatygraph.ttl, OUT/inferred.ttl and OUT/validation.txt (the same content as `treatygraph build`,
made the obvious way). Prints one JSON line per stage as it ends ({"stage": seconds}, flushed), so a caller
that stops a run at a time limit still knows how far it got, then the JSON of all stages.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from treatygraph.graph import build_graph  # noqa: E402
from treatygraph.ingest import IngestLimits, discover  # noqa: E402
from treatygraph.pipeline import process_file  # noqa: E402
from treatygraph.reason import naive_closure  # noqa: E402
from treatygraph.validate import render_text, validate  # noqa: E402


def naive_build(root: Path, out: Path) -> dict[str, float]:
    """Every stage in one process over one rdflib graph; seconds per stage."""
    out.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}

    def stage(name: str, started: float) -> None:
        seconds[name] = time.perf_counter() - started
        print(json.dumps({name: round(seconds[name], 3)}), flush=True)

    clock = time.perf_counter()
    facts = [found for _, found in (process_file(path, root, IngestLimits()) for path in discover(root)) if found]
    stage("extract", clock)
    clock = time.perf_counter()
    graph, _ = build_graph(facts)
    stage("graph", clock)
    clock = time.perf_counter()
    graph.serialize(destination=out / "treatygraph.ttl", format="turtle")
    stage("write", clock)
    clock = time.perf_counter()
    inferred = naive_closure(graph)
    inferred.serialize(destination=out / "inferred.ttl", format="turtle")
    stage("reason", clock)
    clock = time.perf_counter()
    report = validate(graph, sparql_per_focus=True)
    (out / "validation.txt").write_text(render_text(report), encoding="utf-8")
    stage("validate", clock)
    seconds["total"] = sum(seconds.values())
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    print(json.dumps(naive_build(args.corpus, args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
