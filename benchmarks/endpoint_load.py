"""Endpoint load test, loopback only, bounded in clients and time.

    python benchmarks/endpoint_load.py [--treaties 10000] [--clients 8] [--duration 30] [--workers 2]
                                       [--compare-rdflib 2000]

1. Writes a synthetic graph in the project's shape (see push_throughput.py) and starts `treatygraph serve`
   on a free loopback port.
2. Canned query alone: N clients for duration/3 s running the canned query `treaty` for random treaties
   (GET /queries/treaty?treaty=IRI): requests/s and median latency.
3. Mixed: N clients for `--duration` s mixing the canned query `treaty` (35%) and entity lookups (HTML and
   Turtle): requests/s, p50/p99 latency and error count, per kind and overall. (The canned `party` query is
   left out: on this graph shape it runs past the 10 s timeout, which would only measure the timeout.)
4. The cost of the worker-pool design: the same canned query in-process (pyoxigraph, no HTTP, no pool)
   against one client over HTTP.
5. With --compare-rdflib N: load time and canned-query time for rdflib against pyoxigraph on an N-treaty graph.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from push_throughput import ID, write_synthetic_graph  # noqa: E402

from treatygraph import store as st  # noqa: E402
from treatygraph.query import bind_params, load_graph, load_queries  # noqa: E402
from treatygraph.serve import canned_bindings  # noqa: E402


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, ok: bool) -> None:
        with self.lock:
            if ok:
                self.latencies[kind].append(seconds)
            else:
                self.errors[kind] += 1


def start_serve(graph: Path, workers: int) -> tuple[subprocess.Popen[str], int]:
    command = [sys.executable, "-m", "treatygraph", "serve", "--graph", str(graph), "--port", "0",
               "--workers", str(workers), "--max-waiting", "256"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("serving "):
        process.kill()
        sys.exit(f"serve did not start: {line!r}")
    return process, int(urllib.parse.urlsplit(line.split()[1]).port or 0)


def treaty_iri(n: int) -> str:
    return f"{ID}treaty/synthetic-treaty-{n}-{1800 + n % 200}"


JSON = "application/sparql-results+json"


def canned_path(name: str, param: str, value: str) -> str:
    return f"/queries/{name}?" + urllib.parse.urlencode({param: value})


def pick_request(rng: random.Random, treaties: int, mixed: bool) -> tuple[str, str, str]:
    """(kind, path, Accept) of one request."""
    n = rng.randrange(treaties)
    roll = rng.random() if mixed else 0.0
    if roll < 0.35:
        return "canned:treaty", canned_path("treaty", "treaty", treaty_iri(n)), JSON
    path = urllib.parse.urlsplit(treaty_iri(n)).path
    if roll < 0.70:
        return "entity:html", path, "text/html"
    return "entity:turtle", path, "text/turtle"


def client(port: int, treaties: int, mixed: bool, stop_at: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < stop_at:
        kind, path, accept = pick_request(rng, treaties, mixed)
        started = time.monotonic()
        try:
            connection.request("GET", path, headers={"Accept": accept})
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        tally.add(kind, time.monotonic() - started, ok)
    connection.close()


def run_load(port: int, treaties: int, clients: int, seconds: float, mixed: bool) -> dict[str, dict[str, float]]:
    tally = Tally()
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(port, treaties, mixed, stop_at, tally, i)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    report = {}
    kinds = sorted(set(tally.latencies) | set(tally.errors))
    everything = [x for kind in kinds for x in tally.latencies[kind]]
    for kind, values in [(k, tally.latencies[k]) for k in kinds] + [("all", everything)]:
        errors = sum(tally.errors.values()) if kind == "all" else tally.errors[kind]
        report[kind] = summary(values, errors, elapsed)
    return report


def summary(latencies: list[float], errors: int, elapsed: float) -> dict[str, float]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else float("nan")
    return {
        "requests": len(ordered),
        "rps": round(len(ordered) / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(ordered), 1) if ordered else float("nan"),
        "p99_ms": round(1000 * p99, 1),
        "errors": errors,
    }


def print_report(title: str, report: dict[str, dict[str, float]]) -> None:
    print(title)
    for kind, row in report.items():
        print(f"  {kind:15s} {row['requests']:7d} requests {row['rps']:8.1f} req/s  p50 {row['p50_ms']:7.1f} ms  "
              f"p99 {row['p99_ms']:7.1f} ms  errors {row['errors']}")


def in_process_latency(graph: Path, treaties: int, runs: int = 50) -> float:
    """Median ms of the canned `treaty` query straight on an in-memory pyoxigraph store (no HTTP, no pool)."""
    store = st.load_store(graph)
    canned = load_queries()["treaty"]
    rng = random.Random(1)
    times = []
    for _ in range(runs):
        given = {"treaty": treaty_iri(rng.randrange(treaties))}
        text = st.substitute_variables(canned.text, canned_bindings(canned, given))
        started = time.perf_counter()
        st.run_query(store, text, ("application/sparql-results+json",), 10_000)
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def compare_rdflib(treaties: int, folder: Path) -> dict[str, float]:
    graph = folder / "rdflib-compare.nt"
    triples = write_synthetic_graph(graph, treaties)
    canned = load_queries()["treaty"]
    params = {"treaty": treaty_iri(treaties // 2)}
    started = time.perf_counter()
    rdf = load_graph(graph)
    rdflib_load = time.perf_counter() - started
    started = time.perf_counter()
    rdflib_rows = len(list(rdf.query(canned.text, initBindings=bind_params(canned, params))))
    rdflib_query = time.perf_counter() - started
    started = time.perf_counter()
    store = st.load_store(graph)
    oxi_load = time.perf_counter() - started
    text = st.substitute_variables(canned.text, canned_bindings(canned, params))
    started = time.perf_counter()
    answer = st.run_query(store, text, ("application/sparql-results+json",), 100_000)
    oxi_query = time.perf_counter() - started
    if answer.count != rdflib_rows:
        print(f"  note: rdflib gave {rdflib_rows} rows, pyoxigraph {answer.count}")
    return {"treaties": treaties, "triples": triples, "rdflib_load_s": round(rdflib_load, 2),
            "pyoxigraph_load_s": round(oxi_load, 2), "rdflib_query_ms": round(1000 * rdflib_query, 1),
            "pyoxigraph_query_ms": round(1000 * oxi_query, 1), "rows": answer.count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--treaties", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (at most 64)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of the mixed phase (at most 120)")
    parser.add_argument("--workers", type=int, default=2, help="serve --workers")
    parser.add_argument("--compare-rdflib", type=int, default=0, metavar="TREATIES", help="also compare with rdflib")
    args = parser.parse_args()
    clients, duration = min(args.clients, 64), min(args.duration, 120.0)
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="treatygraph-load-") as tmp:
        graph = Path(tmp) / "synthetic.nt"
        triples = write_synthetic_graph(graph, args.treaties)
        print(f"graph: {args.treaties} treaties, {triples} triples")
        started = time.monotonic()
        process, port = start_serve(graph, args.workers)
        print(f"serve ready in {time.monotonic() - started:.1f} s (load, statistics, {args.workers} workers)")
        try:
            run_load(port, args.treaties, 2, 2.0, True)  # warm-up
            canned = run_load(port, args.treaties, clients, duration / 3, False)
            print_report(f"canned query `treaty`, {clients} clients, {duration / 3:.0f} s:", canned)
            mixed = run_load(port, args.treaties, clients, duration, True)
            print_report(f"mixed, {clients} clients, {duration:.0f} s:", mixed)
            single = run_load(port, args.treaties, 1, 5.0, False)
            results.update(canned=canned, mixed=mixed, one_client=single)
        finally:
            process.terminate()
            process.wait(timeout=30)
        in_process = in_process_latency(graph, args.treaties)
        print(f"canned `treaty` median: in-process {in_process:.1f} ms; over HTTP through the pool, one client "
              f"{single['all']['p50_ms']:.1f} ms")
        results["in_process_p50_ms"] = round(in_process, 1)
        if args.compare_rdflib:
            comparison = compare_rdflib(args.compare_rdflib, Path(tmp))
            print(f"rdflib vs pyoxigraph on {comparison['treaties']} treaties ({comparison['triples']} triples): "
                  f"load {comparison['rdflib_load_s']} s vs {comparison['pyoxigraph_load_s']} s; canned `treaty` "
                  f"{comparison['rdflib_query_ms']} ms vs {comparison['pyoxigraph_query_ms']} ms")
            results["rdflib"] = comparison
    print(json.dumps({"treaties": args.treaties, "triples": triples, "clients": clients, **results}))


if __name__ == "__main__":
    main()
