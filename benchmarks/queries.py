"""Time every canned query on a pyoxigraph store, warm and in process (as `serve` and `query` run them).

    python3 benchmarks/queries.py STORE_DIR [--runs 5] [--out results/queries.json]

Parameters are picked from the store itself: the treaty with the most parties (by IRI and by its
name), a party name of middling frequency, a date. Prints median ms and row count per query and
writes the same as JSON. Listings are timed whole: pages (limit/offset) are not implemented yet.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from treatygraph.query import load_queries, run_query_on_store

PREFIXES = "PREFIX tg: <https://w3id.org/treatygraph/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "


def pick_params(store: ox.Store) -> dict[str, dict[str, str]]:
    """Realistic parameters taken from the store (the first treaty and party the index yields)."""
    treaty = next(iter(store.query(PREFIXES + "SELECT ?t ?l WHERE { ?t a tg:Treaty ; rdfs:label ?l } LIMIT 1")))
    party = next(iter(store.query(PREFIXES + "SELECT ?l WHERE { ?t tg:hasParty ?p . ?p rdfs:label ?l } LIMIT 1")))
    return {
        "treaty": {"treaty": treaty["t"].value},
        "treaty by name": {"treaty": treaty["l"].value},
        "party": {"party": party["l"].value},
        "in-force": {"date": "1950-06-01"},
    }


def time_query(store: ox.Store, name: str, params: dict[str, str], runs: int) -> dict[str, object]:
    query = load_queries()[name]
    times, rows = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        rows = len(run_query_on_store(store, query, params).rows)
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "rows": rows, "params": params}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/queries.json"))
    args = parser.parse_args(argv)
    store = ox.Store.read_only(str(args.store))
    picked = pick_params(store)
    results: dict[str, object] = {}
    for name in sorted(load_queries()):
        cases = {label: p for label, p in picked.items() if label.split()[0] == name} or {name: {}}
        for label, params in cases.items():
            results[label] = time_query(store, name, params, args.runs)
            print(f"{label:16} {results[label]['median_ms']:9.1f} ms  rows={results[label]['rows']}", flush=True)  # type: ignore[index]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # the store's folder and its parent only: results are committed, machine paths are not
    store_name = "/".join(args.store.resolve().parts[-2:])
    args.out.write_text(json.dumps({"store": store_name, "runs": args.runs, "queries": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
