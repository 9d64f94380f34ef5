"""Write-stage speed: CPU per article of what a build's write workers do (triples, OWL RL closure, text, checks).

    python benchmarks/write_speed.py CORPUS [--repeat 3] [--profile OUT.prof]

Extracts every article of CORPUS once (one process, facts kept in a temporary cache), resolves them as a build
does, then times `pipeline.write_one` on every article, best of --repeat passes (CPU time of this process). It
prints microseconds per article and a digest of everything the articles' outputs hold (texts, seeds, check
results): two versions of the write stage that print the same digest on the same corpus wrote the same outputs.
`--profile` writes a cProfile of one pass.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import tempfile
import time
from pathlib import Path

from treatygraph import pipeline
from treatygraph.buildstate import BuildState
from treatygraph.cache import ArticleCache
from treatygraph.graph import article_local_prefixes, redundant_dates, resolve_mentions


def prepared(corpus: Path, folder: Path) -> list[str]:
    """Extract and resolve the corpus; set the write context a build sets before its workers fork."""
    options = pipeline.BuildOptions(workers=1)
    cache = ArticleCache(folder / "facts")
    digests = list(pipeline.extract_corpus(corpus, cache, options, BuildState(""), BuildState("")))
    resolution = resolve_mentions((m for d in digests for m in d.mentions), options.base)
    redundant = frozenset(redundant_dates(pipeline._date_values(digests, resolution)))
    keys = {d.report.path: d.key for d in digests if d.key is not None}
    pipeline._CONTEXT = pipeline._WriteContext(
        resolution,
        redundant,
        keys,
        cache,
        article_local_prefixes(options.base),
        True,
        frozenset(pipeline._reasoner().rules.join_predicates),
        True,
    )
    pipeline._prepare_checks()
    return list(keys)


def digest_of(outputs: list[pipeline.ArticleOutput]) -> str:
    total = hashlib.sha256()
    for output in outputs:
        for text in (output.path, output.local_turtle, output.trig, output.inferred_local):
            total.update(text.encode())
        for lines in (output.shared, output.inferred_shared):
            total.update("".join(lines).encode())
        total.update(repr((sorted(map(repr, output.seeds_asserted)), sorted(map(repr, output.seeds_inferred)))).encode())
        check = output.check
        total.update(repr((sorted(map(repr, check.results)), sorted(map(repr, check.pending)))).encode())
    return total.hexdigest()[:16]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths = prepared(args.corpus, Path(folder))
        pipeline.write_one(paths[0])  # warm-up: the reasoner and the shapes are compiled on first use
        best = float("inf")
        outputs: list[pipeline.ArticleOutput] = []
        for _ in range(args.repeat):
            start = time.process_time()
            outputs = [pipeline.write_one(path) for path in paths]
            best = min(best, time.process_time() - start)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(lambda: [pipeline.write_one(path) for path in paths])
            profiler.dump_stats(str(args.profile))
    print(f"{len(paths)} articles: {1e6 * best / len(paths):.0f} µs CPU per article (best of {args.repeat})")
    print(f"digest {digest_of(outputs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
