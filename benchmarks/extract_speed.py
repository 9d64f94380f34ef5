"""Extraction speed: articles per second for ingest + extract, one process, on a folder of articles.

    python benchmarks/extract_speed.py DIR [--repeat 3]

Prints articles/s for ingest alone and for ingest + extract (best of the repeats), so a change to the rules
can be compared before/after on the same corpus (e.g. one made by `python benchmarks/corpus.py 2000 OUT`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from treatygraph.extract import extract_article
from treatygraph.ingest import discover, ingest_file
from treatygraph.types import IngestError


def timed(root: Path, extract: bool) -> tuple[int, float]:
    start = time.perf_counter()
    count = 0
    for path in discover(root):
        try:
            article = ingest_file(path, root)
        except IngestError:
            continue
        if extract:
            extract_article(article)
        count += 1
    return count, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for label, extract in (("ingest", False), ("ingest+extract", True)):
        runs = [timed(args.corpus, extract) for _ in range(args.repeat)]
        count, seconds = min(runs, key=lambda r: r[1])
        print(f"{label:15} {count} articles in {seconds:.2f} s = {count / seconds:.0f} articles/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
