"""The scale benchmark: `treatygraph build` on synthetic corpora, stage by stage, against the naive pipeline.

    python3 benchmarks/run.py [--sizes 1000 10000] [--with-100k] [--naive-at 10000] [--naive-limit 1800]
                              [--queries-at 10000 100000]
                              [--work DIR] [--json PATH] [--seed 1]

For each size: generates the corpus (benchmarks/corpus.py, kept in --work for the next run), runs a full
build from scratch (articles/s per stage, total seconds, peak memory of the whole process tree: the main
process and its workers, proportional set sizes summed), changes 1% of the articles and removes 0.1%, and re-runs the build
(the incremental re-run). At --naive-at it also runs benchmarks/naive.py (rdflib + owlrl + pyshacl over
everything) on the same corpus, stopped at --naive-limit seconds (its time is then a lower bound). At
--queries-at it times every canned query on the build's store, warm and in process (benchmarks/queries.py). Prints one table; writes the same as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "benchmarks" / "corpus.py"
NAIVE = REPO / "benchmarks" / "naive.py"
QUERY_BENCH = REPO / "benchmarks" / "queries.py"
DEFAULT_JSON = REPO / "benchmarks" / "results" / "scale.json"
STAGES = ("extract", "resolve", "write", "finish", "store", "validate")


@dataclass
class Run:
    """One timed command: wall seconds, peak RSS (MB) of its process tree, and the build's stage timings."""

    seconds: float
    peak_rss_mb: float
    stages: dict[str, float] = field(default_factory=dict)
    triples: int = 0
    cached: int = 0
    capped: bool = False  # stopped at the time limit: `seconds` is a lower bound
    cpu_seconds: float = 0.0  # user + system seconds of the build and its workers (both cores' work)


@dataclass
class SizeResult:
    articles: int
    full: Run
    incremental: Run | None
    changed: int
    removed: int
    naive: Run | None = None
    queries_ms: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------- measuring processes


def _tree_rss_kb(pid: int) -> int:
    """Memory of a process and all its descendants, from /proc: the sum of their proportional set sizes
    (Pss: pages shared by forked workers are counted once in all, not once per process)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            total += _pss_kb(current)
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def _pss_kb(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        return next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
    except (OSError, StopIteration):  # no smaps_rollup: resident set size
        status = Path(f"/proc/{pid}/status").read_text()
        return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))


class PeakMemory:
    """The peak memory of a process tree, sampled in a thread until `stop`.

    Reading a process's Pss makes the kernel walk its page tables: about 37 ms of CPU per 2 GB, holding
    that process's memory lock. Sampled every 50 ms, a 100k build's five processes (6 GB) kept the sampler
    busy about two thirds of one of this machine's two cores and stalled the build (the same 100k build: 284.7 s
    under /usr/bin/time, 366.3 s in this benchmark). So the pause after each sample is 20 times what the
    sample cost (at least 50 ms): the sampler takes under 5% of a core, and samples less often only while
    the tree is large, when its memory changes over seconds."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kb = pid, 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        pause = 0.05
        while not self.done.wait(pause):
            started = time.perf_counter()
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))
            pause = max(0.05, 20 * (time.perf_counter() - started))

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        return self.peak_kb


def timed(command: list[str]) -> tuple[Run, str]:
    """Run `command`, sampling the memory of its process tree (PeakMemory)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    memory = PeakMemory(process.pid)
    out, err = process.communicate()
    peak = memory.stop()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err[-3000:]}")
    return Run(seconds=seconds, peak_rss_mb=peak / 1024), out


# ---------------------------------------------------------------- corpora and builds


def corpus(work: Path, articles: int, seed: int) -> Path:
    folder = work / f"corpus-{articles}-{seed}"
    marker = folder / ".complete"
    if not marker.exists():
        subprocess.run(
            [sys.executable, str(CORPUS), str(articles), str(folder), "--seed", str(seed)],
            check=True,
            capture_output=True,
        )
        marker.write_text("ok\n")
    return folder


def build(source: Path, out: Path) -> Run:
    run, _ = timed([sys.executable, "-m", "treatygraph", "build", str(source), "--out", str(out), "--quiet"])
    report = json.loads((out / "report.json").read_text())
    stats = json.loads((out / ".cache" / "last-build.json").read_text())
    run.stages = {k: round(v, 3) for k, v in stats["timings"].items()}
    run.triples = report["summary"]["triples"]
    run.cached = stats["cached_articles"]
    run.cpu_seconds = round(sum(stats.get("cpu", {}).values()), 1)
    return run


def change_corpus(source: Path, work: Path, share: float, removed_share: float) -> tuple[Path, int, int]:
    """A copy of the corpus (hard links) with `share` of the articles edited and `removed_share` removed."""
    copy = work / f"{source.name}-changed"
    subprocess.run(["rm", "-rf", str(copy)], check=True)
    subprocess.run(["cp", "-al", str(source), str(copy)], check=True)
    files = sorted(p for p in copy.iterdir() if p.suffix in {".txt", ".html", ".wiki"})
    step_changed = max(1, round(1 / share))
    step_removed = max(1, round(1 / removed_share))
    changed = removed = 0
    for index, path in enumerate(files):
        if index % step_removed == step_removed - 1:
            path.unlink()
            removed += 1
        elif index % step_changed == 0:
            text = path.read_text(encoding="utf-8")
            path.unlink()  # break the hard link: the original corpus stays as it was
            path.write_text(text + "\nThis article was revised for the benchmark.\n", encoding="utf-8")
            changed += 1
    return copy, changed, removed


def incremental(source: Path, out: Path, work: Path) -> tuple[Run, int, int]:
    """Re-run the build in `out` (which holds the full build's cache) on a copy with 1% changed, 0.1% removed."""
    changed_corpus, changed, removed = change_corpus(source, work, 0.01, 0.001)
    return build(changed_corpus, out), changed, removed


def naive(source: Path, out: Path, limit: float) -> Run:
    """benchmarks/naive.py on the corpus, stopped after `limit` seconds (then its time is a lower bound and
    its stages are those it finished)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(NAIVE), str(source), str(out)], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    memory = PeakMemory(process.pid)
    try:
        printed, _ = process.communicate(timeout=limit)
        capped = False
    except subprocess.TimeoutExpired:
        process.kill()
        printed, _ = process.communicate()
        capped = True
    peak = memory.stop()
    stages: dict[str, float] = {}
    for line in printed.splitlines():
        stages.update({k: round(v, 3) for k, v in json.loads(line).items()})
    return Run(seconds=time.perf_counter() - start, peak_rss_mb=peak / 1024, stages=stages, capped=capped)


def query_times(out: Path, work: Path, runs: int = 3, full: bool = True) -> dict[str, float]:
    """Every canned query on the build's store, warm and in process (benchmarks/queries.py): median ms.

    `full=False` skips the unpaged listings (at 100k they take minutes and are timed by queries.py alone)."""
    report = work / f"queries-{out.name}.json"
    subprocess.run(
        [sys.executable, str(QUERY_BENCH), str(out / "store"), "--runs", str(runs), "--out", str(report)]
        + ([] if full else ["--no-full"]),
        check=True,
        capture_output=True,
        cwd=REPO,
    )
    timed_queries = json.loads(report.read_text())["queries"]
    return {name: round(entry["median_ms"], 1) for name, entry in timed_queries.items()}


# ---------------------------------------------------------------- the table


def table(results: list[SizeResult]) -> str:
    header = [
        "articles",
        "triples",
        *[f"{s} art/s" for s in STAGES],
        "total s",
        "CPU s",
        "peak RSS MB",
        "re-run s",
        "re-run %",
        "naive s",
        "speed-up",
    ]
    lines = [" | ".join(header), " | ".join("---" for _ in header)]
    for result in results:
        full = result.full
        per_stage = [_rate(result.articles, full.stages.get(stage)) for stage in STAGES]
        rerun = result.incremental
        row = [
            str(result.articles),
            str(full.triples),
            *per_stage,
            f"{full.seconds:.1f}",
            f"{full.cpu_seconds:.0f}",
            f"{full.peak_rss_mb:.0f}",
            f"{rerun.seconds:.1f}" if rerun else "",
            f"{100 * rerun.seconds / full.seconds:.0f}%" if rerun else "",
            _naive_seconds(result.naive),
            _speed_up(result.naive, full),
        ]
        lines.append(" | ".join(row))
    for result in results:
        if result.queries_ms:
            cells = ", ".join(f"{name} {ms:.0f} ms" for name, ms in result.queries_ms.items())
            lines.append(
                f"queries at {result.articles} articles (warm store, in process; median of 3 runs up to 10k, 1 run above): {cells}"
            )
        if result.naive:
            stages = ", ".join(f"{k} {v:.1f} s" for k, v in result.naive.stages.items())
            stopped = " (stopped at the time limit: stages not listed did not finish)" if result.naive.capped else ""
            lines.append(
                f"naive at {result.articles} articles: {stages}; peak RSS {result.naive.peak_rss_mb:.0f} MB{stopped}"
            )
    return "\n".join(lines)


def _naive_seconds(naive: Run | None) -> str:
    if naive is None:
        return ""
    return f"{'>= ' if naive.capped else ''}{naive.seconds:.1f}"


def _speed_up(naive: Run | None, full: Run) -> str:
    if naive is None:
        return ""
    return f"{'>= ' if naive.capped else ''}{naive.seconds / full.seconds:.1f}x"


def _rate(articles: int, seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{articles / seconds:.0f}" if seconds > 0 else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--with-100k", action="store_true", help="also 100,000 articles")
    parser.add_argument("--naive-at", type=int, nargs="*", default=[10000], help="sizes to run the naive pipeline at")
    parser.add_argument(
        "--naive-limit", type=float, default=1800, help="seconds after which the naive run is stopped (a lower bound)"
    )
    parser.add_argument(
        "--queries-at", type=int, nargs="*", default=[10000], help="sizes to time the canned queries at"
    )
    parser.add_argument("--no-incremental", action="store_true")
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "treatygraph-bench")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = sorted(set(args.sizes + ([100_000] if args.with_100k else [])))
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for size in sizes:
        source = corpus(args.work, size, args.seed)
        out = args.work / f"out-{size}"
        subprocess.run(["rm", "-rf", str(out)], check=True)
        full = build(source, out)
        result = SizeResult(size, full, None, 0, 0)
        if size in args.queries_at:
            result.queries_ms = query_times(out, args.work, runs=3 if size <= 10_000 else 5, full=size <= 10_000)
        if not args.no_incremental:
            result.incremental, result.changed, result.removed = incremental(source, out, args.work)
        if size in args.naive_at:
            result.naive = naive(source, args.work / f"naive-{size}", args.naive_limit)
        results.append(result)
        print(f"done: {size} articles", file=sys.stderr)
    text = table(results)
    print(text)
    payload = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "results": [asdict(r) for r in results],
        "table": text,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
