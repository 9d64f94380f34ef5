"""Time every canned query on a pyoxigraph store, warm and in process (as `serve` and `query` run them).

    python3 benchmarks/queries.py STORE_DIR [--runs 5] [--page 100] [--full-runs 1] [--no-full]
                                  [--out benchmarks/results/queries.json]

For each query (and the parameterised ones with realistic parameters taken from the store: the first
treaty the index yields, by IRI, by its name and in another case; a party by its exact name and in another
case; a date), times its first page of --page rows (`run_query_on_store` with a Page: what `query --limit`
and the endpoint's `limit=` run) after one warm-up run: median and CPU median of --runs runs. Then, for
information, the full listing (sorted in Python, what `query` without --limit returns): median of
--full-runs runs. `median_ms` is the page's median (benchmarks/run.py reads it). Writes JSON with the
store's folder named relative to its parent's parent, never a machine path.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from treatygraph.query import CannedQuery, Page, QueryResult, load_queries, run_query_on_store

PREFIXES = "PREFIX tg: <https://w3id.org/treatygraph/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "


def pick_params(store: ox.Store) -> dict[str, tuple[str, dict[str, str]]]:
    """Parameterised cases: label -> (query name, parameters), from the first treaty and party the index yields."""
    treaty = next(iter(store.query(PREFIXES + "SELECT ?t ?l WHERE { ?t a tg:Treaty ; rdfs:label ?l } LIMIT 1")))
    party = next(iter(store.query(PREFIXES + "SELECT ?l WHERE { ?t tg:hasParty ?p . ?p rdfs:label ?l } LIMIT 1")))
    return {
        "treaty": ("treaty", {"treaty": treaty["t"].value}),
        "treaty by name": ("treaty", {"treaty": treaty["l"].value}),
        "treaty in lower case": ("treaty", {"treaty": treaty["l"].value.lower()}),  # no exact label: by tg:nameKey
        "party": ("party", {"party": party["l"].value}),
        "party in lower case": ("party", {"party": party["l"].value.lower()}),  # no exact label: by tg:nameKey
        "in-force": ("in-force", {"date": "1950-06-01"}),
    }


def cases(store: ox.Store, queries: dict[str, CannedQuery]) -> dict[str, tuple[str, dict[str, str]]]:
    picked = pick_params(store)
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for name in sorted(queries):
        mine = {label: case for label, case in picked.items() if case[0] == name}
        found.update(mine or {name: (name, {})})
    return found


def timed(run: Callable[[], QueryResult], runs: int) -> tuple[list[float], list[float], QueryResult]:
    """Wall and CPU milliseconds of `runs` runs, and the last result."""
    walls, cpus = [], []
    result = run()
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return walls, cpus, result


def time_case(
    store: ox.Store, query: CannedQuery, params: dict[str, str], args: argparse.Namespace
) -> dict[str, object]:
    walls, cpus, page = timed(lambda: run_query_on_store(store, query, params, Page(args.page)), args.runs)
    entry: dict[str, object] = {
        "median_ms": round(statistics.median(walls), 1),
        "cpu_median_ms": round(statistics.median(cpus), 1),
        "page_rows": len(page.rows),
        "more": page.more,
        "params": params,
    }
    if args.full_runs > 0:
        full_times = []
        for _ in range(args.full_runs):
            start = time.perf_counter()
            rows = len(run_query_on_store(store, query, params).rows)
            full_times.append((time.perf_counter() - start) * 1000)
        entry.update(full_ms=round(statistics.median(full_times), 1), rows=rows)
    return entry


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each first page (after one warm-up)")
    parser.add_argument("--page", type=int, default=100, help="rows in the page timed")
    parser.add_argument("--full-runs", type=int, default=1, help="runs of each full listing (0: none)")
    parser.add_argument("--no-full", dest="full_runs", action="store_const", const=0, help="skip the full listings")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/queries.json"))
    args = parser.parse_args(argv)
    store = ox.Store.read_only(str(args.store))
    queries = load_queries()
    results: dict[str, object] = {}
    load = os.getloadavg()[0]
    for label, (name, params) in cases(store, queries).items():
        entry = time_case(store, queries[name], params, args)
        results[label] = entry
        full = f"  full {entry['full_ms']:9.1f} ms  rows={entry['rows']}" if "full_ms" in entry else ""
        print(f"{label:20} page {entry['median_ms']:7.1f} ms (cpu {entry['cpu_median_ms']:6.1f}){full}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "store": "/".join(args.store.resolve().parts[-2:]),  # the store's folder and its parent, not a machine path
        "page_rows": args.page,
        "runs": args.runs,
        "full_runs": args.full_runs,
        "load_average_at_start": round(load, 2),
        "queries": results,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
