"""Benchmark: `localvalidate.check_article`, the per-article SHACL check a build's writers run on each article.

Reads N articles of a corpus folder, writes each one's triples as `graph.build_graph` does, then times
check_article on every article (best of --repeat passes, after one warm-up call that compiles the shapes).
Prints microseconds per article, the counts of results and pending findings, and a digest of all the checks:
two versions of localvalidate that print the same digest on the same articles gave the same answers.

    python3 benchmarks/local_validation.py CORPUS [--articles 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

from rdflib import Node

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


def timed_pass(articles: list[list[Triple]]) -> tuple[float, list[ArticleCheck]]:
    """CPU seconds of one pass (this process's time: other work on the machine does not count)."""
    clock = time.process_time()
    checks = [check_article(triples) for triples in articles]
    return time.process_time() - clock, checks


def digest(checks: list[ArticleCheck]) -> str:
    """A digest of every result and pending finding, independent of object identities."""
    text = "\n".join(
        repr(check.results) + repr([(p.finding, p.constraint and p.constraint.query) for p in check.pending])
        for check in checks
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    articles = article_triples(args.corpus, args.articles)
    check_article(articles[0])  # compiles the shapes once per process, as a writer does
    best, checks = min((timed_pass(articles) for _ in range(args.repeat)), key=lambda run: run[0])
    triples = sum(len(t) for t in articles)
    print(f"articles: {len(articles)}, triples: {triples} ({triples / len(articles):.0f} per article)")
    print(f"check_article: {best / len(articles) * 1e6:.0f} us per article of CPU (best of {args.repeat})")
    print(f"results: {sum(len(c.results) for c in checks)}, pending: {sum(len(c.pending) for c in checks)}")
    print(f"digest: {digest(checks)}")


if __name__ == "__main__":
    main()
