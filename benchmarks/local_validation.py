"""Benchmark: `localvalidate.check_article`, the per-article SHACL check a build's writers run on each article.

Reads N articles of a corpus folder, writes each one's triples as `graph.build_graph` does, then times
check_article on every article (best of --repeat passes, after one warm-up call that compiles the shapes).
Prints microseconds per article, the counts of results and pending findings, and a digest of all the checks:
two versions of localvalidate that print the same digest on the same articles gave the same answers.
`--mutate SEED` also breaks each article at random (triples dropped, literals changed, objects moved), so
that the digest covers findings too (a clean corpus has almost none).

    python3 benchmarks/local_validation.py CORPUS [--articles 2000] [--repeat 3] [--mutate SEED]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from pathlib import Path

from rdflib import Literal, Node, URIRef
from rdflib.namespace import XSD

from treatygraph.graph import build_graph
from treatygraph.ingest import IngestLimits, discover
from treatygraph.localvalidate import ArticleCheck, check_article
from treatygraph.pipeline import process_file

Triple = tuple[Node, Node, Node]


def article_triples(corpus: Path, count: int) -> list[list[Triple]]:
    """The first `count` articles' triples, in path order."""
    paths = sorted(discover(corpus))[:count]
    facts = [found for _, found in (process_file(path, corpus, IngestLimits()) for path in paths) if found]
    _, per_article = build_graph(facts)
    return [per_article[path] for path in sorted(per_article)]


def mutated(triples: list[Triple], rng: random.Random) -> list[Triple]:
    """The article with one to three random breaks."""
    broken = list(triples)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(broken))
        s, p, o = broken[at]
        edit = rng.choice(("drop", "literal", "move", "retype"))
        if edit == "drop":
            del broken[at]
        elif edit == "literal" and isinstance(o, Literal):
            broken[at] = (s, p, rng.choice(_ODD_LITERALS(o)))
        elif edit == "move":
            other = rng.choice(broken)[0]
            broken[at] = (s, p, other) if rng.random() < 0.5 else (other, p, o)
        elif edit == "retype" and isinstance(o, URIRef):
            broken[at] = (s, p, rng.choice(broken)[2])
    return broken


def _ODD_LITERALS(value: Literal) -> list[Literal]:  # noqa: N802 - a table, by the value it replaces
    return [
        Literal(f"{value}!"),
        Literal(str(value), datatype=XSD.string),
        Literal(-7, datatype=XSD.integer),
        Literal(10**6, datatype=XSD.nonNegativeInteger),
        Literal("1.5", datatype=XSD.decimal),
        Literal("x", lang="en"),
        Literal("1001-01-01", datatype=XSD.date),
    ]


def timed_pass(articles: list[list[Triple]]) -> tuple[float, list[ArticleCheck]]:
    """CPU seconds of one pass (this process's time: other work on the machine does not count)."""
    clock = time.process_time()
    checks = [check_article(triples) for triples in articles]
    return time.process_time() - clock, checks


def digest(checks: list[ArticleCheck]) -> str:
    """A digest of every result and pending finding (in any order), independent of object identities."""
    text = "\n".join(
        repr(sorted(map(repr, check.results)))
        + repr(sorted(repr((p.finding, p.constraint and p.constraint.query)) for p in check.pending))
        for check in checks
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mutate", type=int, default=None, metavar="SEED", help="break each article at random")
    args = parser.parse_args()
    articles = article_triples(args.corpus, args.articles)
    if args.mutate is not None:
        rng = random.Random(args.mutate)
        articles = [mutated(triples, rng) for triples in articles]
    check_article(articles[0])  # compiles the shapes once per process, as a writer does
    best, checks = min((timed_pass(articles) for _ in range(args.repeat)), key=lambda run: run[0])
    triples = sum(len(t) for t in articles)
    print(f"articles: {len(articles)}, triples: {triples} ({triples / len(articles):.0f} per article)")
    print(f"check_article: {best / len(articles) * 1e6:.0f} us per article of CPU (best of {args.repeat})")
    print(f"results: {sum(len(c.results) for c in checks)}, pending: {sum(len(c.pending) for c in checks)}")
    print(f"digest: {digest(checks)}")


if __name__ == "__main__":
    main()
