"""Extraction speed: articles per second for ingest, extract and both, one process, on a folder of articles.

    python benchmarks/extract_speed.py DIR [--repeat 3] [--by-rule]

Prints articles/s for ingest alone, extract alone (on the articles ingested beforehand) and ingest + extract
(best of the repeats, CPU time of this process), so a change can be compared before/after on the same corpus
(e.g. one made by `python benchmarks/corpus.py 2000 OUT`). Every memo cache of the package is emptied before
each run, as in a fresh worker process. `--by-rule` adds the time each extraction rule takes per article.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from treatygraph import extract as extract_module
from treatygraph.extract import extract_article
from treatygraph.ingest import discover, ingest_file
from treatygraph.types import Fact, IngestedArticle, IngestError


def clear_caches() -> None:
    """Empty every functools cache in the package's modules (and their classes)."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("treatygraph") or module is None:
            continue
        for value in list(vars(module).values()):
            for attribute in (value, *(vars(value).values() if isinstance(value, type) else ())):
                if callable(getattr(attribute, "cache_clear", None)):
                    attribute.cache_clear()


def ingested(root: Path) -> Iterator[IngestedArticle]:
    for path in discover(root):
        try:
            yield ingest_file(path, root)
        except IngestError:
            continue


def timed(run: Callable[[], int]) -> tuple[int, float]:
    clear_caches()
    start = time.process_time()
    count = run()
    return count, time.process_time() - start


def by_rule(articles: list[IngestedArticle]) -> None:
    """CPU time per article of each rule (a rule that first asks for a sentence's treaties pays for them)."""
    spent: Counter[str] = Counter()

    def wrap(name: str, function: Callable[[extract_module.Context], Iterable[Fact]]) -> extract_module.Rule:
        def timed_rule(ctx: extract_module.Context) -> Iterable[Fact]:
            start = time.process_time()
            facts = list(function(ctx))
            spent[name] += time.process_time() - start
            return facts

        return timed_rule

    original = list(extract_module.RULES)
    extract_module.RULES[:] = [(name, wrap(name, function)) for name, function in original]
    try:
        clear_caches()
        for article in articles:
            extract_article(article)
    finally:
        extract_module.RULES[:] = original
    for name, seconds in spent.most_common():
        print(f"  {seconds * 1e6 / len(articles):8.1f} us/article  {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--by-rule", action="store_true", help="also print each rule's time per article")
    args = parser.parse_args()
    articles = list(ingested(args.corpus))

    def ingest_only() -> int:
        return sum(1 for _ in ingested(args.corpus))

    def extract_only() -> int:
        for article in articles:
            extract_article(article)
        return len(articles)

    def both() -> int:
        for article in ingested(args.corpus):
            extract_article(article)
        return len(articles)

    for label, run in (("ingest", ingest_only), ("extract", extract_only), ("ingest+extract", both)):
        count, seconds = min((timed(run) for _ in range(args.repeat)), key=lambda r: r[1])
        print(f"{label:15} {count} articles in {seconds:.2f} s = {count / seconds:.0f} articles/s")
    if args.by_rule:
        by_rule(articles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
