"""Benchmark: streaming OWL RL reasoning (per article + cross-article finish) against owlrl's naive closure.

Generates synthetic corpora in the form of docs/graph-shape.md (treaties with parties, signers, dates, places,
superseding chains that cross articles, violations and resolutions, every fact with its record and evidence),
times `Reasoner` and, up to --naive-limit articles, `naive_closure`, checks they agree, and up to
--validate-limit articles times SHACL validation too. Prints a table and writes JSON.

    python3 benchmarks/reasoning.py --articles 1000 10000 [--naive-limit 1000] [--validate-limit 1000] [--json PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from treatygraph.atomic import atomic_write_text
from treatygraph.reason import Reasoner, naive_closure
from treatygraph.validate import validate
from treatygraph.vocab import DEFAULT_BASE, OA, TG

ID = Namespace(DEFAULT_BASE)
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "reasoning.json"
ENTITY_CLASSES = (TG.State, TG.State, TG.State, TG.HistoricalState, TG.InternationalOrganisation, TG.Government)
CHAIN_LENGTH = 8  # treaties supersede each other in chains of this length, one article per link


@dataclass(frozen=True)
class Measurement:
    articles: int
    asserted_triples: int
    inferred_triples: int
    streaming_seconds: float
    close_seconds: float
    finish_seconds: float
    per_article_ms: float
    naive_seconds: float | None
    naive_equal: bool | None
    validate_seconds: float | None


class _Article:
    """One synthetic article's graph: facts plus records, evidence and provenance, offsets consistent."""

    def __init__(self, index: int) -> None:
        self.graph = Graph()
        self.iri = ID[f"article/synthetic-{index:06d}-{_hash(index, 8)}"]
        self.activity = ID[f"activity/synthetic-{index:06d}-0.1.0"]
        self.cursor = 0
        self.text_length = 0

    def add(self, triple: tuple) -> None:
        self.graph.add(triple)

    def fact(self, subject: URIRef, predicate: URIRef, obj: object, length: int = 60) -> None:
        self.add((subject, predicate, obj))
        begin, end = self.cursor, self.cursor + length
        self.cursor = end + 1
        evidence = URIRef(f"{DEFAULT_BASE}evidence/{self.iri.split('/')[-1]}-{begin}-{end}")
        position, quote = URIRef(f"{evidence}#position"), URIRef(f"{evidence}#quote")
        record = ID[f"fact/{_hash((subject, predicate, obj, evidence), 16)}"]
        for triple in (
            (record, RDF.type, RDF.Statement),
            (record, RDF.type, TG.FactRecord),
            (record, RDF.subject, subject),
            (record, RDF.predicate, predicate),
            (record, RDF.object, obj),
            (record, TG.rule, Literal("synthetic_rule")),
            (record, TG.confidence, Literal("0.9", datatype=XSD.decimal)),
            (record, PROV.wasGeneratedBy, self.activity),
            (record, TG.evidence, evidence),
            (evidence, RDF.type, TG.Evidence),
            (evidence, RDF.type, OA.SpecificResource),
            (evidence, OA.hasSource, self.iri),
            (evidence, OA.hasSelector, position),
            (evidence, OA.hasSelector, quote),
            (position, RDF.type, OA.TextPositionSelector),
            (position, OA.start, Literal(begin, datatype=XSD.nonNegativeInteger)),
            (position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)),
            (quote, RDF.type, OA.TextQuoteSelector),
            (quote, OA.exact, Literal("x" * length)),
        ):
            self.add(triple)

    def close(self, title: str) -> Graph:
        self.text_length = self.cursor + 40
        for triple in (
            (self.iri, RDF.type, TG.Article),
            (self.iri, RDF.type, PROV.Entity),
            (self.iri, DCTERMS.title, Literal(title)),
            (self.iri, TG.sourcePath, Literal(f"{self.iri.split('/')[-1]}.txt")),
            (self.iri, DCTERMS.format, Literal("text/plain")),
            (self.iri, TG.textLength, Literal(self.text_length)),
            (self.iri, TG.contentSha256, Literal(_hash(title, 64))),
            (self.activity, RDF.type, PROV.Activity),
            (self.activity, PROV.used, self.iri),
            (self.activity, TG.extractorVersion, Literal("0.1.0")),
        ):
            self.add(triple)
        return self.graph


def synthetic_corpus(articles: int, seed: int = 7) -> list[Graph]:
    """One graph per article, in the shape the builder writes."""
    rng = random.Random(seed)
    entities = [(ID[f"entity/Q{1000 + n}"], rng.choice(ENTITY_CLASSES)) for n in range(max(20, articles // 5))]
    people = [ID[f"entity/person-{n}"] for n in range(max(10, articles // 10))]
    return [_synthetic_article(index, rng, entities, people) for index in range(articles)]


def _synthetic_article(index: int, rng: random.Random, entities: list, people: list) -> Graph:
    article = _Article(index)
    year = 1800 + index % 200
    treaty = ID[f"treaty/synthetic-treaty-{index}-{year}"]
    label = Literal(f"Synthetic Treaty {index}", lang="en")
    article.add((treaty, RDF.type, TG.Treaty))
    if index % 3 == 0:
        article.add((treaty, RDF.type, TG.PeaceTreaty))
    article.add((treaty, PROV.wasDerivedFrom, article.iri))
    article.fact(treaty, RDFS.label, label, 20)
    article.fact(treaty, SKOS.prefLabel, label, 20)
    article.fact(treaty, TG.signedOn, Literal(f"{year}-03-01", datatype=XSD.date))
    article.fact(treaty, TG.effectiveOn, Literal(f"{year}-06-01", datatype=XSD.date))
    for entity, cls in rng.sample(entities, 2):
        article.fact(treaty, TG.hasParty, entity)
        article.add((entity, RDF.type, cls))
        article.add((entity, RDFS.label, Literal(f"Entity {entity.split('/')[-1]}", lang="en")))
    signer = rng.choice(people)
    article.fact(treaty, TG.hasSigner, signer)
    article.add((signer, RDF.type, TG.Person))
    article.add((signer, RDFS.label, Literal(f"Person {signer.split('-')[-1]}", lang="en")))
    place = ID[f"place/place-{index % 50}"]
    article.fact(treaty, TG.signedAt, place)
    article.add((place, RDF.type, TG.Place))
    article.add((place, RDFS.label, Literal(f"Place {index % 50}", lang="en")))
    if index % CHAIN_LENGTH:  # each treaty supersedes the one before it in its chain, read from another article
        earlier = ID[f"treaty/synthetic-treaty-{index - 1}-{1800 + (index - 1) % 200}"]
        article.fact(treaty, TG.supersedes, earlier)
        article.add((earlier, RDF.type, TG.Treaty))
        article.fact(earlier, RDFS.label, Literal(f"Synthetic Treaty {index - 1}", lang="en"), 20)
        article.fact(earlier, TG.endedOn, Literal(f"{year}-06-01", datatype=XSD.date))
        article.fact(earlier, TG.endedHow, TG.Superseded)
    if index % 10 == 5:
        _add_violation(article, treaty, index, year, rng.choice(entities)[0])
    return article.close(str(label))


def _add_violation(article: _Article, treaty: URIRef, index: int, year: int, violator: URIRef) -> None:
    resolution = ID[f"resolution/synthetic-resolution-{index}"]
    body = ID["entity/Q37470"]
    violation = ID[f"violation/{_hash((treaty, violator, resolution), 16)}"]
    article.add((resolution, RDF.type, TG.Resolution))
    article.add((resolution, RDF.type, TG.UNSecurityCouncilResolution))
    article.add((body, RDF.type, TG.Organ))
    article.add((body, RDFS.label, Literal("United Nations Security Council", lang="en")))
    article.fact(resolution, RDFS.label, Literal(f"Resolution {index}", lang="en"), 30)
    article.fact(resolution, TG.adoptedBy, body)
    article.fact(resolution, TG.adoptedOn, Literal(f"{year + 2}-01-15", datatype=XSD.date))
    article.fact(resolution, TG.concerns, treaty)
    article.fact(resolution, TG.decision, TG.FindsViolation)
    article.add((violation, RDF.type, TG.Violation))
    article.fact(violation, TG.violatedTreaty, treaty)
    article.fact(violation, TG.violator, violator)
    article.fact(violation, TG.determinedBy, resolution)
    article.fact(treaty, TG.violatedBy, violator)


def measure(articles: int, naive_limit: int, validate_limit: int) -> Measurement:
    """Times reasoning only: the merged graph is built first, untimed, as the builder has it anyway."""
    graphs = synthetic_corpus(articles)
    merged = Graph()
    for graph in graphs:
        for triple in graph:
            merged.add(triple)
    reasoner = Reasoner()
    started = time.perf_counter()
    per_article_sets = [reasoner.close_article(graph) for graph in graphs]
    closed = time.perf_counter()
    per_article = Graph()
    for found in per_article_sets:
        for triple in found:
            per_article.add(triple)
    inferred = reasoner.finish(merged, per_article)
    finished = time.perf_counter()
    naive_seconds = naive_equal = None
    if articles <= naive_limit:
        naive_started = time.perf_counter()
        naive = naive_closure(merged)
        naive_seconds = time.perf_counter() - naive_started
        naive_equal = set(naive) == set(inferred)
    validate_seconds = None
    if articles <= validate_limit:
        validate_started = time.perf_counter()
        validate(merged)
        validate_seconds = time.perf_counter() - validate_started
    return Measurement(
        articles=articles,
        asserted_triples=len(merged),
        inferred_triples=len(inferred),
        streaming_seconds=round(finished - started, 3),
        close_seconds=round(closed - started, 3),
        finish_seconds=round(finished - closed, 3),
        per_article_ms=round(1000 * (closed - started) / articles, 3),
        naive_seconds=round(naive_seconds, 3) if naive_seconds is not None else None,
        naive_equal=naive_equal,
        validate_seconds=round(validate_seconds, 3) if validate_seconds is not None else None,
    )


def table(measurements: list[Measurement]) -> str:
    header = ("articles", "asserted", "inferred", "streaming s", "(close", "finish)", "ms/article", "naive s",
              "equal", "validate s")
    rows = [header] + [
        (
            str(m.articles),
            str(m.asserted_triples),
            str(m.inferred_triples),
            f"{m.streaming_seconds:.2f}",
            f"{m.close_seconds:.2f}",
            f"{m.finish_seconds:.2f}",
            f"{m.per_article_ms:.2f}",
            "-" if m.naive_seconds is None else f"{m.naive_seconds:.1f}",
            "-" if m.naive_equal is None else str(m.naive_equal).lower(),
            "-" if m.validate_seconds is None else f"{m.validate_seconds:.1f}",
        )
        for m in measurements
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)) for row in rows)


def _hash(value: object, length: int) -> str:
    return hashlib.sha256(str(value).encode("utf-8")).hexdigest()[:length]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time streaming vs naive OWL RL reasoning on synthetic corpora.")
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 10000], help="corpus sizes")
    parser.add_argument("--naive-limit", type=int, default=1000, help="largest corpus to run owlrl's naive closure on")
    parser.add_argument("--validate-limit", type=int, default=0, help="largest corpus to time SHACL validation on")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"where to write results ({DEFAULT_JSON.name})")
    args = parser.parse_args(argv)
    measurements = []
    for size in args.articles:
        measurements.append(measure(size, args.naive_limit, args.validate_limit))
        print(f"measured {size} articles", file=sys.stderr)
    print(table(measurements))
    payload = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "measurements": [asdict(m) for m in measurements],
    }
    atomic_write_text(args.json, json.dumps(payload, indent=2) + "\n")
    return 0 if all(m.naive_equal is not False for m in measurements) else 1


if __name__ == "__main__":
    sys.exit(main())
