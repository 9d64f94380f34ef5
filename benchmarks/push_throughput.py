"""Push throughput: triples per second from `treatygraph push` into a real Oxigraph server, on loopback.

    python benchmarks/push_throughput.py [--triples 100000] [--batch-sizes 10000,50000] [--runs 3]

Writes a synthetic graph in the shape of docs/graph-shape.md (invented treaties, parties, records,
evidence), starts `oxigraph serve` on a free loopback port in a temporary folder, pushes the graph
with --replace through the Graph Store Protocol and through SPARQL Update, checks the count that
arrived, and prints triples/s per route and batch size (median of the runs). Also imported by
endpoint_load.py for its graph.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from treatygraph.push import PushOptions, push_graph

ID = "https://w3id.org/treatygraph/id/"
TG = "https://w3id.org/treatygraph/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
TRIPLES_PER_TREATY = 54  # what write_synthetic_graph writes per treaty (checked by its return value)
PARTIES = 300


def write_synthetic_graph(path: Path, treaties: int, seed: int = 7) -> int:
    """An invented graph in the project's shape, as N-Triples; returns the number of triples written."""
    rng = random.Random(seed)
    count = 0
    with path.open("w", encoding="utf-8") as out:

        def triple(s: str, p: str, o: str) -> None:
            nonlocal count
            out.write(f"{s} {p} {o} .\n")
            count += 1

        for n in range(PARTIES):
            party = f"<{ID}entity/synthetic-state-{n}>"
            triple(party, f"<{RDF}type>", f"<{TG}State>")
            triple(party, f"<{RDFS}label>", f'"Synthetic State {n}"@en')
        for n in range(treaties):
            _write_treaty(triple, n, rng)
    return count


def _write_treaty(triple: Callable[[str, str, str], None], n: int, rng: random.Random) -> None:
    year = 1800 + n % 200
    treaty = f"<{ID}treaty/synthetic-treaty-{n}-{year}>"
    article = f"<{ID}article/synthetic-{n}-{n:08x}>"
    label = f'"Synthetic Treaty {n}"@en'
    signed = f'"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}"^^<{XSD}date>'
    parties = [f"<{ID}entity/synthetic-state-{p}>" for p in rng.sample(range(PARTIES), 2)]
    triple(treaty, f"<{RDF}type>", f"<{TG}Treaty>")
    triple(treaty, f"<{RDFS}label>", label)
    triple(treaty, f"<{SKOS}prefLabel>", label)
    triple(treaty, f"<{TG}signedOn>", signed)
    triple(treaty, f"<{PROV}wasDerivedFrom>", article)
    for party in parties:
        triple(treaty, f"<{TG}hasParty>", party)
    triple(article, f"<{RDF}type>", f"<{TG}Article>")
    triple(article, f"<{DCT}title>", f'"Synthetic Treaty {n}"')
    triple(article, f"<{TG}sourcePath>", f'"synthetic/{n}.txt"')
    facts = [("rdfs_label", f"<{RDFS}label>", label), ("infobox_signed", f"<{TG}signedOn>", signed)]
    facts += [("sentence_parties", f"<{TG}hasParty>", party) for party in parties]
    for index, (rule, predicate, value) in enumerate(facts):
        record = f"<{ID}fact/synthetic-{n}-{index}>"
        begin = 40 * index
        evidence = f"<{ID}evidence/synthetic-{n}-{n:08x}-{begin}-{begin + 38}>"
        triple(record, f"<{RDF}type>", f"<{RDF}Statement>")
        triple(record, f"<{RDF}subject>", treaty)
        triple(record, f"<{RDF}predicate>", predicate)
        triple(record, f"<{RDF}object>", value)
        triple(record, f"<{TG}rule>", f'"{rule}"')
        triple(record, f"<{TG}confidence>", f'"0.{rng.randint(5, 9)}"^^<{XSD}decimal>')
        triple(record, f"<{TG}evidence>", evidence)
        quote = evidence[:-1] + '#quote>'
        triple(evidence, f"<{RDF}type>", f"<{TG}Evidence>")
        triple(evidence, f"<{OA}hasSource>", article)
        triple(evidence, f"<{OA}hasSelector>", quote)
        triple(quote, f"<{OA}exact>", f'"An invented sentence {index} about synthetic treaty {n}."')


def treaties_for(triples: int) -> int:
    return max(1, (triples - 2 * PARTIES) // TRIPLES_PER_TREATY)


# ---------------------------------------------------------------- an Oxigraph server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def count_triples(base: str) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    request = urllib.request.Request(base + "/query", data=urllib.parse.urlencode({"query": query}).encode())
    request.add_header("Accept", "application/sparql-results+json")
    with urllib.request.urlopen(request, timeout=60) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


def start_oxigraph(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("oxigraph")
    if not binary:
        sys.exit("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            count_triples(base)
            return process, base
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                sys.exit("oxigraph serve did not start")
            time.sleep(0.1)


def timed_push(graph: Path, base: str, protocol: str, batch: int, replace: bool, expected: int) -> float:
    options = PushOptions(protocol=protocol, replace=replace, batch_triples=batch)  # type: ignore[arg-type]
    report = push_graph(graph, base + ("/store" if protocol == "gsp" else "/update"), options)
    arrived = count_triples(base)
    if arrived != expected:
        sys.exit(f"{arrived} triples arrived, {expected} expected")
    return report.triples_per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=100_000, help="size of the synthetic graph (about)")
    parser.add_argument("--batch-sizes", default="10000,50000", help="comma-separated triples per request")
    parser.add_argument("--runs", type=int, default=3, help="pushes per route and batch size (median reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="treatygraph-push-bench-") as tmp:
        graph = Path(tmp) / "synthetic.nt"
        triples = write_synthetic_graph(graph, treaties_for(args.triples))
        print(f"graph: {triples} triples ({graph.stat().st_size / 1e6:.1f} MB N-Triples)")
        results = []
        for batch in (int(b) for b in args.batch_sizes.split(",")):
            for protocol in ("gsp", "update"):
                fresh, again = [], []
                for run in range(args.runs):
                    # into an empty store, then the same graph again with --replace (the store drops the old copy)
                    process, base = start_oxigraph(Path(tmp) / f"oxigraph-{protocol}-{batch}-{run}")
                    try:
                        fresh.append(timed_push(graph, base, protocol, batch, False, triples))
                        again.append(timed_push(graph, base, protocol, batch, True, triples))
                    finally:
                        process.terminate()
                        process.wait(timeout=30)
                row = {
                    "protocol": protocol,
                    "batch": batch,
                    "empty_store_triples_per_s": round(statistics.median(fresh)),
                    "replace_triples_per_s": round(statistics.median(again)),
                }
                results.append(row)
                print(f"{protocol:6s} batch {batch:6d}: into an empty store {row['empty_store_triples_per_s']:>9,} "
                      f"triples/s; re-push with --replace {row['replace_triples_per_s']:>9,} triples/s "
                      f"(runs: {', '.join(f'{r:,.0f}' for r in fresh)} / {', '.join(f'{r:,.0f}' for r in again)})")
        print(json.dumps({"triples": triples, "results": results}))


if __name__ == "__main__":
    main()
